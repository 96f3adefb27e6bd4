# lit configuration for Linop's FileCheck tests.
import os
import sys
import lit.formats
import lit.util

config.name = "Linop"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.linop_obj_root, "test", "lit")

# Our tools first, then LLVM's FileCheck, not and count.
path = os.pathsep.join([config.linop_tools_dir, config.llvm_tools_dir,
                        config.environment.get("PATH", os.environ["PATH"])])
config.environment["PATH"] = path
config.substitutions.append(("%examples", os.path.join(config.linop_src_root, "examples")))
config.substitutions.append(("%python", sys.executable))
# The C compiler for programs that link a generated library (with the
# sanitizers in a sanitizer build, whose runtime archive needs them).
config.substitutions.append(("%cc", config.linop_cc))
config.substitutions.append(("%inputs", os.path.join(config.test_source_root, "Inputs")))
if config.linop_has_cuda:
    config.available_features.add("cuda")
