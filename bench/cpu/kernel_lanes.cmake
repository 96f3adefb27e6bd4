# Writes OUT, a header with the SIMD lanes (f32) of bench-cpu's kernels, as
# linopc plans them for CPU (its --explain of one DFT), for the peers'
# tables. Run at build time:
#   cmake -DLINOPC=... -DSPEC=... -DCPU=... -DOUT=... -P kernel_lanes.cmake
execute_process(
  COMMAND ${LINOPC} ${SPEC} --target=cpu --cpu=${CPU} --func=dft1024
          --explain --emit=kernel
  OUTPUT_VARIABLE plan RESULT_VARIABLE rc ERROR_QUIET)
string(REGEX MATCH "([0-9]+) lanes of f32" m "${plan}")
if(NOT rc EQUAL 0 OR NOT m)
  message(FATAL_ERROR "kernel_lanes.cmake: no lanes in linopc --explain")
endif()
file(WRITE ${OUT} "#define LINOP_BENCH_KERNEL_LANES ${CMAKE_MATCH_1}\n")
