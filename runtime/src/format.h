// printf-style formatting of the runtime's error messages (status.cpp,
// parallel.cpp); not part of the public API.
#ifndef LINOP_RUNTIME_FORMAT_H
#define LINOP_RUNTIME_FORMAT_H

#include <cstdarg>
#include <string>

namespace linop::runtime {
/// `fmt` with `args`; a format that cannot be formatted says so.
std::string formatMessage(const char *fmt, va_list args);
} // namespace linop::runtime

#endif
