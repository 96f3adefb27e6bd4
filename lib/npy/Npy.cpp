#include "npy/Npy.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <utility>

#include <sys/stat.h>

// The data bytes are copied as they are, which is only right on a
// little-endian host (every platform Linop targets).
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "lib/npy assumes a little-endian host"
#endif

namespace linop::npy {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
// numpy pads the header so that the data starts on a 64-byte boundary.
constexpr size_t kAlign = 64;
// numpy leaves room to grow the first dimension in place (np.lib.format's
// GROWTH_AXIS_MAX_DIGITS); we pad the same way to write identical bytes.
constexpr size_t kGrowthAxisMaxDigits = 21;
// Nesting limit of the header literal, so hostile input cannot exhaust the
// stack; real headers nest two levels.
constexpr int kMaxDepth = 16;

const char *const kSupported =
    "supported: '<f2' float16, '<u2' bfloat16, '<f4' float32, '<f8' float64, "
    "'<c8' complex64, '<c16' complex128, '<i4' int32, '<i8' int64";

std::string fmtBytes(uint64_t n) { return std::to_string(n); }

// ---------------------------------------------------------------------------
// Float narrowing, one routine for both 16-bit formats.

template <typename To, typename From> To bitCast(From from) {
  static_assert(sizeof(To) == sizeof(From));
  To to;
  std::memcpy(&to, &from, sizeof(To));
  return to;
}

// Rounds a double to a binary format with `expBits` exponent bits and
// `mantBits` stored mantissa bits (IEEE layout, bias 2^(expBits-1)-1),
// to nearest, ties to even.
uint16_t roundToSmallFloat(double value, int expBits, int mantBits) {
  const uint64_t x = bitCast<uint64_t>(value);
  const uint16_t sign = static_cast<uint16_t>((x >> 63) << (expBits + mantBits));
  const uint64_t absx = x & 0x7fffffffffffffffull;
  const uint32_t expMax = (1u << expBits) - 1;
  const uint32_t infBits = expMax << mantBits;
  const uint64_t mant52 = absx & ((1ull << 52) - 1);
  const int dexp = static_cast<int>(absx >> 52);

  if (dexp == 0x7ff) {
    if (mant52 == 0)
      return static_cast<uint16_t>(sign | infBits);
    // Quiet NaN, keeping the leading payload bits.
    uint32_t payload = static_cast<uint32_t>(mant52 >> (52 - mantBits));
    payload |= 1u << (mantBits - 1);
    return static_cast<uint16_t>(sign | infBits | payload);
  }
  // Double subnormals (and zero) are far below the smallest 16-bit subnormal.
  if (dexp == 0)
    return sign;

  const int bias = (1 << (expBits - 1)) - 1;
  const int targetExp = dexp - 1023 + bias; // biased exponent in the target
  if (targetExp >= static_cast<int>(expMax))
    return static_cast<uint16_t>(sign | infBits);

  const uint64_t sig = mant52 | (1ull << 52); // 53 significant bits
  // Bits to drop: the extra mantissa bits, plus the denormalization shift
  // when the result is subnormal in the target.
  int shift = 52 - mantBits;
  if (targetExp < 1)
    shift += 1 - targetExp;
  if (shift > 53) // below half the smallest subnormal: rounds to zero
    return sign;
  const uint64_t rem = sig & ((1ull << shift) - 1);
  const uint64_t halfway = 1ull << (shift - 1);
  uint64_t r = sig >> shift;
  if (rem > halfway || (rem == halfway && (r & 1)))
    ++r;
  uint64_t bits;
  if (targetExp >= 1)
    // r is in [2^m, 2^(m+1)]; adding it to (e-1)<<m both strips the implicit
    // bit and carries a rounding overflow into the exponent.
    bits = (static_cast<uint64_t>(targetExp - 1) << mantBits) + r;
  else
    bits = r; // subnormal (or the smallest normal when rounding carried)
  if (bits >= infBits)
    bits = infBits;
  return static_cast<uint16_t>(sign | bits);
}

float widenSmallFloat(uint16_t bits, int expBits, int mantBits) {
  const uint32_t sign = static_cast<uint32_t>(bits >> (expBits + mantBits)) << 31;
  const uint32_t expMax = (1u << expBits) - 1;
  const uint32_t exp = (bits >> mantBits) & expMax;
  const uint32_t mant = bits & ((1u << mantBits) - 1);
  const int bias = (1 << (expBits - 1)) - 1;
  if (exp == expMax) // inf or NaN: keep the payload bits
    return bitCast<float>(sign | 0x7f800000u | (mant << (23 - mantBits)));
  float magnitude;
  if (exp == 0)
    magnitude = std::ldexp(static_cast<float>(mant), 1 - bias - mantBits);
  else
    magnitude = std::ldexp(static_cast<float>(mant | (1u << mantBits)),
                           static_cast<int>(exp) - bias - mantBits);
  return bitCast<float>(bitCast<uint32_t>(magnitude) | sign);
}

// ---------------------------------------------------------------------------
// A parser for the Python literal in the header: dicts, tuples, lists,
// strings, integers, True/False/None. That is all numpy ever writes, and
// parsing it properly (rather than pattern matching) accepts any spacing and
// key order and gives precise errors.

struct PyValue {
  enum Kind { Str, Int, Bool, None, Tuple, List, Dict } kind = None;
  std::string str;
  int64_t integer = 0;
  bool boolean = false;
  std::vector<PyValue> items;                          // Tuple, List
  std::vector<std::pair<std::string, PyValue>> entries; // Dict
};

const char *kindName(PyValue::Kind kind) {
  switch (kind) {
  case PyValue::Str: return "a string";
  case PyValue::Int: return "an integer";
  case PyValue::Bool: return "a bool";
  case PyValue::None: return "None";
  case PyValue::Tuple: return "a tuple";
  case PyValue::List: return "a list";
  case PyValue::Dict: return "a dict";
  }
  return "?";
}

std::string describeChar(char c) {
  const unsigned char u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f)
    return std::string("'") + c + "'";
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\x%02x", u);
  return buf;
}

class LiteralParser {
public:
  explicit LiteralParser(const std::string &text) : text_(text) {}

  bool parse(PyValue &out, std::string &error) {
    skipSpace();
    if (!parseValue(out, 0))
      return failed(error);
    skipSpace();
    if (pos_ != text_.size()) {
      error_ = "unexpected " + describeChar(text_[pos_]) + " after the value";
      return failed(error);
    }
    return true;
  }

private:
  bool failed(std::string &error) {
    error = error_ + " at offset " + std::to_string(pos_);
    return false;
  }
  bool atEnd() const { return pos_ >= text_.size(); }
  char peek() const { return atEnd() ? '\0' : text_[pos_]; }
  void skipSpace() {
    // The '\0' test matters: strchr also finds the terminator.
    while (!atEnd() && text_[pos_] != '\0' &&
           std::strchr(" \t\n\r\f\v", text_[pos_]))
      ++pos_;
  }
  bool fail(const std::string &msg) {
    error_ = msg;
    return false;
  }
  bool unexpected(const std::string &expected) {
    if (atEnd())
      return fail("header ends where " + expected + " was expected");
    return fail("expected " + expected + ", found " +
                describeChar(text_[pos_]));
  }

  bool parseValue(PyValue &out, int depth) {
    if (depth > kMaxDepth)
      return fail("header nests more than " + std::to_string(kMaxDepth) +
                  " levels");
    skipSpace();
    const char c = peek();
    if (c == '\'' || c == '"')
      return parseString(out);
    // Python 2 era u'...' / b'...' string prefixes.
    if ((c == 'u' || c == 'b' || c == 'U' || c == 'B') &&
        pos_ + 1 < text_.size() &&
        (text_[pos_ + 1] == '\'' || text_[pos_ + 1] == '"')) {
      ++pos_;
      return parseString(out);
    }
    if (c == '(' || c == '[')
      return parseSequence(out, depth);
    if (c == '{')
      return parseDict(out, depth);
    if (c == '-' || c == '+' || (c >= '0' && c <= '9'))
      return parseInt(out);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
      return parseName(out);
    return unexpected("a value");
  }

  bool parseString(PyValue &out) {
    const char quote = text_[pos_++];
    out.kind = PyValue::Str;
    out.str.clear();
    while (!atEnd()) {
      char c = text_[pos_++];
      if (c == quote)
        return true;
      if (c == '\n')
        break;
      if (c == '\\') {
        if (atEnd())
          break;
        c = text_[pos_++];
        if (c == 'n')
          c = '\n';
        else if (c == 't')
          c = '\t';
      }
      out.str.push_back(c);
    }
    return fail("unterminated string");
  }

  bool parseInt(PyValue &out) {
    bool negative = false;
    if (peek() == '-' || peek() == '+') {
      negative = peek() == '-';
      ++pos_;
      skipSpace();
    }
    if (!(peek() >= '0' && peek() <= '9'))
      return unexpected("a digit");
    const size_t start = pos_;
    uint64_t magnitude = 0;
    bool overflow = false;
    while (peek() >= '0' && peek() <= '9') {
      const unsigned digit = static_cast<unsigned>(text_[pos_++] - '0');
      if (magnitude > (std::numeric_limits<uint64_t>::max() - digit) / 10)
        overflow = true;
      else
        magnitude = magnitude * 10 + digit;
    }
    const std::string digits = text_.substr(start, pos_ - start);
    if (peek() == 'L' || peek() == 'l') // Python 2 long literal
      ++pos_;
    if (peek() == '.' || peek() == 'e' || peek() == 'E')
      return fail("expected an integer, found a non-integer number");
    const uint64_t limit =
        static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) +
        (negative ? 1 : 0);
    if (overflow || magnitude > limit)
      return fail("integer " + std::string(negative ? "-" : "") + digits +
                  " does not fit in 64 bits");
    out.kind = PyValue::Int;
    out.integer = negative ? static_cast<int64_t>(0 - magnitude)
                           : static_cast<int64_t>(magnitude);
    return true;
  }

  bool parseName(PyValue &out) {
    const size_t start = pos_;
    while (!atEnd() && (std::isalnum(static_cast<unsigned char>(peek())) ||
                        peek() == '_'))
      ++pos_;
    const std::string name = text_.substr(start, pos_ - start);
    if (name == "True" || name == "False") {
      out.kind = PyValue::Bool;
      out.boolean = name == "True";
      return true;
    }
    if (name == "None") {
      out.kind = PyValue::None;
      return true;
    }
    pos_ = start;
    return fail("unexpected name '" + name + "'");
  }

  // (a, b), (a,), (), [a, b]; "(a)" is a parenthesized a, as in Python.
  bool parseSequence(PyValue &out, int depth) {
    const char open = text_[pos_++];
    const char close = open == '(' ? ')' : ']';
    std::vector<PyValue> items;
    bool sawComma = false;
    skipSpace();
    while (peek() != close) {
      PyValue item;
      if (!parseValue(item, depth + 1))
        return false;
      items.push_back(std::move(item));
      skipSpace();
      if (peek() == ',') {
        sawComma = true;
        ++pos_;
        skipSpace();
      } else if (peek() != close) {
        return unexpected(close == ')' ? "',' or ')'" : "',' or ']'");
      }
    }
    ++pos_;
    if (open == '(' && items.size() == 1 && !sawComma) {
      out = std::move(items[0]);
      return true;
    }
    out.kind = open == '(' ? PyValue::Tuple : PyValue::List;
    out.items = std::move(items);
    return true;
  }

  bool parseDict(PyValue &out, int depth) {
    ++pos_;
    out.kind = PyValue::Dict;
    out.entries.clear();
    skipSpace();
    while (peek() != '}') {
      PyValue key;
      if (!parseValue(key, depth + 1))
        return false;
      if (key.kind != PyValue::Str)
        return fail(std::string("dict keys must be strings, found ") +
                    kindName(key.kind));
      skipSpace();
      if (peek() != ':')
        return unexpected("':' after key '" + key.str + "'");
      ++pos_;
      PyValue value;
      if (!parseValue(value, depth + 1))
        return false;
      out.entries.emplace_back(key.str, std::move(value));
      skipSpace();
      if (peek() == ',') {
        ++pos_;
        skipSpace();
      } else if (peek() != '}') {
        return unexpected("',' or '}'");
      }
    }
    ++pos_;
    return true;
  }

  const std::string &text_;
  size_t pos_ = 0;
  std::string error_;
};

// Printable excerpt of the header for error messages.
std::string quoteHeader(const std::string &header) {
  std::string out;
  for (char c : header) {
    if (out.size() > 200) {
      out += "...";
      break;
    }
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == '\n')
      out += "\\n";
    else if (u < 0x20 || u >= 0x7f)
      out += describeChar(c);
    else
      out += c;
  }
  while (!out.empty() && out.back() == ' ')
    out.pop_back();
  return out;
}

// Element count and byte size of a shape, with overflow checks (so a hostile
// header cannot make us allocate or index out of range).
// `what` names the element type in messages.
bool shapeSize(const std::vector<int64_t> &shape, size_t elemSize,
               const std::string &what, int64_t &elements, uint64_t &bytes,
               std::string &error) {
  uint64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) {
      error = "negative dimension " + std::to_string(d) + " in shape " +
              shapeString(shape);
      return false;
    }
  }
  // Dimension zero makes the product zero whatever the others are.
  bool empty = false;
  for (int64_t d : shape)
    empty |= d == 0;
  const uint64_t limit = static_cast<uint64_t>(
      std::numeric_limits<int64_t>::max() / static_cast<int64_t>(elemSize));
  if (!empty) {
    for (int64_t d : shape) {
      const uint64_t ud = static_cast<uint64_t>(d);
      if (n > limit / ud) {
        error = "shape " + shapeString(shape) + what +
                " is too large: its size overflows 64 bits";
        return false;
      }
      n *= ud;
    }
  } else {
    n = 0;
  }
  const uint64_t b = n * elemSize;
  if (b > std::numeric_limits<size_t>::max()) {
    error = "shape " + shapeString(shape) + what +
            " is too large for this machine";
    return false;
  }
  elements = static_cast<int64_t>(n);
  bytes = b;
  return true;
}

bool dtypeFromDescr(const std::string &descr, DType &out, std::string &error) {
  static const struct {
    const char *code;
    DType dtype;
  } kCodes[] = {{"f2", DType::F16}, {"u2", DType::BF16}, {"f4", DType::F32},
                {"f8", DType::F64}, {"c8", DType::C64},  {"c16", DType::C128},
                {"i4", DType::I32}, {"i8", DType::I64}};
  std::string code = descr;
  char order = '<';
  if (!code.empty() && std::strchr("<>|=", code[0])) {
    order = code[0];
    code = code.substr(1);
  }
  for (const auto &entry : kCodes) {
    if (code != entry.code)
      continue;
    if (order == '>') {
      error = "big-endian data ('" + descr +
              "') is not supported; convert it with a.astype('<" + code + "')";
      return false;
    }
    // '=' is native order and '|' "not applicable": both mean little-endian
    // on the hosts we run on.
    out = entry.dtype;
    return true;
  }
  error = "unsupported dtype '" + descr + "' (" + kSupported + ")";
  return false;
}

struct Header {
  DType dtype = DType::F64;
  std::vector<int64_t> shape;
  int64_t elements = 0;
  uint64_t dataBytes = 0;
  size_t dataOffset = 0;
  bool fortran = false; // column-major data (numpy writes it for transposes)
};

// Parses the magic, version and header dict; `error` gets the reason only
// (the caller prefixes the file name).
bool parseHeader(const uint8_t *bytes, size_t size, Header &h,
                 std::string &error) {
  if (size == 0) {
    error = "not an .npy file: the file is empty";
    return false;
  }
  const size_t magicAvail = size < kMagicLen ? size : kMagicLen;
  if (std::memcmp(bytes, kMagic, magicAvail) != 0) {
    error = "not an .npy file: bad magic";
    if (size >= 2 && bytes[0] == 'P' && bytes[1] == 'K')
      error += " (this is a zip archive, maybe an .npz: extract the arrays "
               "or save them with np.save)";
    return false;
  }
  if (size < kMagicLen + 2) {
    error = "truncated header: the file has only " + fmtBytes(size) +
            " bytes, less than the magic string and version";
    return false;
  }
  const unsigned major = bytes[6], minor = bytes[7];
  if (major < 1 || major > 3 || minor != 0) {
    error = "unsupported .npy format version " + std::to_string(major) + "." +
            std::to_string(minor) + " (supported: 1.0, 2.0, 3.0)";
    return false;
  }
  const size_t lenBytes = major == 1 ? 2 : 4;
  const size_t prefix = kMagicLen + 2 + lenBytes;
  if (size < prefix) {
    error = "truncated header: the file ends inside the header length field";
    return false;
  }
  uint64_t headerLen = 0;
  for (size_t i = 0; i < lenBytes; ++i)
    headerLen |= static_cast<uint64_t>(bytes[8 + i]) << (8 * i);
  if (headerLen > size - prefix) {
    error = "truncated header: the header length field says " +
            fmtBytes(headerLen) + " bytes, the file has " +
            fmtBytes(size - prefix) + " after it";
    return false;
  }
  const std::string text(reinterpret_cast<const char *>(bytes + prefix),
                         static_cast<size_t>(headerLen));
  const std::string quoted = " in header \"" + quoteHeader(text) + "\"";

  PyValue dict;
  std::string why;
  if (!LiteralParser(text).parse(dict, why)) {
    error = "malformed header: " + why + quoted;
    return false;
  }
  if (dict.kind != PyValue::Dict) {
    error = std::string("malformed header: expected a dict, found ") +
            kindName(dict.kind) + quoted;
    return false;
  }
  const PyValue *descr = nullptr, *fortran = nullptr, *shape = nullptr;
  for (const auto &[key, value] : dict.entries) {
    const PyValue **slot = key == "descr"           ? &descr
                           : key == "fortran_order" ? &fortran
                           : key == "shape"         ? &shape
                                                    : nullptr;
    if (!slot) {
      error = "malformed header: unexpected key '" + key +
              "' (numpy writes only 'descr', 'fortran_order' and 'shape')" +
              quoted;
      return false;
    }
    if (*slot) {
      error = "malformed header: duplicate key '" + key + "'" + quoted;
      return false;
    }
    *slot = &value;
  }
  for (const auto &[name, value] :
       {std::pair<const char *, const PyValue *>{"descr", descr},
        {"fortran_order", fortran},
        {"shape", shape}}) {
    if (!value) {
      error = std::string("malformed header: no '") + name + "' key" + quoted;
      return false;
    }
  }

  if (descr->kind == PyValue::List) {
    error = std::string("unsupported dtype: a structured dtype (descr is a "
                        "list of fields) (") +
            kSupported + ")";
    return false;
  }
  if (descr->kind != PyValue::Str) {
    error = std::string("malformed header: 'descr' must be a string, found ") +
            kindName(descr->kind) + quoted;
    return false;
  }
  if (!dtypeFromDescr(descr->str, h.dtype, error))
    return false;

  if (fortran->kind != PyValue::Bool) {
    error = std::string("malformed header: 'fortran_order' must be True or "
                        "False, found ") +
            kindName(fortran->kind) + quoted;
    return false;
  }

  if (shape->kind != PyValue::Tuple && shape->kind != PyValue::List) {
    error = std::string("malformed header: 'shape' must be a tuple of "
                        "integers, found ") +
            kindName(shape->kind) + quoted;
    return false;
  }
  h.shape.clear();
  for (const PyValue &d : shape->items) {
    if (d.kind != PyValue::Int) {
      error = std::string("malformed header: 'shape' must be a tuple of "
                          "integers, found an element that is ") +
              kindName(d.kind) + quoted;
      return false;
    }
    h.shape.push_back(d.integer);
  }
  if (!shapeSize(h.shape, dtypeSize(h.dtype),
                 std::string(" ") + dtypeName(h.dtype), h.elements,
                 h.dataBytes, error))
    return false;

  h.fortran = fortran->boolean;
  h.dataOffset = prefix + static_cast<size_t>(headerLen);
  return true;
}

// Checks that exactly the data the header announces follows it.
bool checkDataSize(const Header &h, size_t size, std::string &error) {
  const uint64_t available = size - h.dataOffset;
  if (available == h.dataBytes)
    return true;
  const std::string what = "for shape " + shapeString(h.shape) + " " +
                           dtypeName(h.dtype) + ", file has " +
                           fmtBytes(available);
  if (available < h.dataBytes)
    error = "truncated data: expected " + fmtBytes(h.dataBytes) +
            " bytes of data " + what;
  else
    error = "trailing data: expected " + fmtBytes(h.dataBytes) +
            " bytes of data " + what +
            " (the file is larger than its header says)";
  return false;
}

std::string withName(const std::string &name, const std::string &msg) {
  return name + ": " + msg;
}

} // namespace

// ---------------------------------------------------------------------------

size_t dtypeSize(DType dtype) {
  switch (dtype) {
  case DType::F16:
  case DType::BF16: return 2;
  case DType::F32: return 4;
  case DType::I32: return 4;
  case DType::F64:
  case DType::I64:
  case DType::C64: return 8;
  case DType::C128: return 16;
  }
  return 1;
}

bool isComplex(DType dtype) {
  return dtype == DType::C64 || dtype == DType::C128;
}

const char *dtypeName(DType dtype) {
  switch (dtype) {
  case DType::F16: return "f16";
  case DType::BF16: return "bf16";
  case DType::F32: return "f32";
  case DType::F64: return "f64";
  case DType::C64: return "complex64";
  case DType::C128: return "complex128";
  case DType::I32: return "i32";
  case DType::I64: return "i64";
  }
  return "?";
}

const char *dtypeDescr(DType dtype) {
  switch (dtype) {
  case DType::F16: return "<f2";
  case DType::BF16: return "<u2";
  case DType::F32: return "<f4";
  case DType::F64: return "<f8";
  case DType::C64: return "<c8";
  case DType::C128: return "<c16";
  case DType::I32: return "<i4";
  case DType::I64: return "<i8";
  }
  return "?";
}

bool dtypeFromName(const std::string &name, DType &out) {
  static const struct {
    const char *name;
    DType dtype;
  } kNames[] = {
      {"f16", DType::F16},         {"float16", DType::F16},
      {"half", DType::F16},        {"bf16", DType::BF16},
      {"bfloat16", DType::BF16},   {"f32", DType::F32},
      {"float32", DType::F32},     {"f64", DType::F64},
      {"float64", DType::F64},     {"c64", DType::C64},
      {"complex64", DType::C64},   {"complex<f32>", DType::C64},
      {"c128", DType::C128},       {"complex128", DType::C128},
      {"complex<f64>", DType::C128}, {"i32", DType::I32},
      {"int32", DType::I32},       {"i64", DType::I64},
      {"int64", DType::I64}};
  for (const auto &entry : kNames) {
    if (name == entry.name) {
      out = entry.dtype;
      return true;
    }
  }
  std::string ignored;
  return dtypeFromDescr(name, out, ignored);
}

std::string shapeString(const std::vector<int64_t> &shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1)
    s += ",";
  return s + ")";
}

int64_t Array::numElements() const {
  int64_t elements = 0;
  uint64_t bytes = 0;
  std::string ignored;
  if (!shapeSize(shape, 1, "", elements, bytes, ignored))
    return -1;
  return elements;
}

bool validate(const Array &a, std::string &error) {
  int64_t elements = 0;
  uint64_t bytes = 0;
  if (!shapeSize(a.shape, dtypeSize(a.dtype),
                 std::string(" ") + dtypeName(a.dtype), elements, bytes,
                 error))
    return false;
  if (a.data.size() != bytes) {
    error = "array data has " + fmtBytes(a.data.size()) + " bytes but shape " +
            shapeString(a.shape) + " " + dtypeName(a.dtype) + " needs " +
            fmtBytes(bytes);
    return false;
  }
  return true;
}

bool parse(const uint8_t *bytes, size_t size, Array &out, std::string &error,
           const std::string &name) {
  if (!bytes && size) {
    error = withName(name, "null buffer");
    return false;
  }
  static const uint8_t kNone[1] = {0};
  Header h;
  std::string why;
  if (!parseHeader(bytes ? bytes : kNone, size, h, why) ||
      !checkDataSize(h, size, why)) {
    error = withName(name, why);
    return false;
  }
  out.dtype = h.dtype;
  out.shape = std::move(h.shape);
  const uint8_t *data = bytes + h.dataOffset;
  if (!h.fortran) {
    out.data.assign(data, bytes + size);
    return true;
  }
  // Column-major to row-major: C-order element (i0, ..., ik) sits at
  // i0 + s0 (i1 + s1 (...)) in the file. The index walks in C order and
  // the file offset follows it incrementally.
  const size_t esize = dtypeSize(out.dtype);
  const size_t rank = out.shape.size();
  std::vector<int64_t> index(rank, 0), step(rank, 1);
  for (size_t d = 1; d < rank; ++d)
    step[d] = step[d - 1] * out.shape[d - 1];
  out.data.resize(size - h.dataOffset);
  int64_t from = 0;
  for (int64_t e = 0; e < h.elements; ++e) {
    std::memcpy(out.data.data() + size_t(e) * esize,
                data + size_t(from) * esize, esize);
    for (size_t d = rank; d-- > 0;) { // next C-order index
      from += step[d];
      if (++index[d] < out.shape[d])
        break;
      from -= step[d] * out.shape[d];
      index[d] = 0;
    }
  }
  return true;
}

bool parse(const std::vector<uint8_t> &bytes, Array &out, std::string &error,
           const std::string &name) {
  return parse(bytes.data(), bytes.size(), out, error, name);
}

bool serialize(const Array &a, std::vector<uint8_t> &out, std::string &error) {
  if (!validate(a, error))
    return false;
  // Byte for byte what numpy's _write_array_header writes: keys sorted, the
  // growth-axis padding, then spaces and a newline up to a 64-byte boundary.
  std::string header = std::string("{'descr': '") + dtypeDescr(a.dtype) +
                       "', 'fortran_order': False, 'shape': " +
                       shapeString(a.shape) + ", }";
  if (!a.shape.empty()) {
    const size_t digits = std::to_string(a.shape[0]).size();
    if (digits < kGrowthAxisMaxDigits)
      header.append(kGrowthAxisMaxDigits - digits, ' ');
  }
  unsigned major = 1;
  size_t lenBytes = 2;
  size_t hlen = header.size() + 1; // + '\n'
  size_t padding = kAlign - (kMagicLen + 2 + lenBytes + hlen) % kAlign;
  if (hlen + padding > 0xffff) {
    major = 2;
    lenBytes = 4;
    padding = kAlign - (kMagicLen + 2 + lenBytes + hlen) % kAlign;
  }
  const uint64_t headerLen = hlen + padding;
  if (headerLen > 0xffffffffull) {
    error = "shape " + shapeString(a.shape) +
            " needs a header larger than 4 GiB";
    return false;
  }
  out.clear();
  out.reserve(kMagicLen + 2 + lenBytes + headerLen + a.data.size());
  out.insert(out.end(), kMagic, kMagic + kMagicLen);
  out.push_back(static_cast<uint8_t>(major));
  out.push_back(0);
  for (size_t i = 0; i < lenBytes; ++i)
    out.push_back(static_cast<uint8_t>(headerLen >> (8 * i)));
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), padding, ' ');
  out.push_back('\n');
  out.insert(out.end(), a.data.begin(), a.data.end());
  return true;
}

bool read(const std::string &path, Array &out, std::string &error) {
  FILE *f = std::fopen(path.c_str(), "rb");
  if (!f) {
    error = withName(path, std::string("cannot open: ") + std::strerror(errno));
    return false;
  }
  struct stat info {};
  const bool haveInfo = fstat(fileno(f), &info) == 0;
  if (haveInfo && S_ISDIR(info.st_mode)) {
    std::fclose(f);
    error = withName(path, "cannot read: it is a directory");
    return false;
  }
  std::vector<uint8_t> bytes;
  // The size is only a hint (pipes and special files have none).
  if (haveInfo && S_ISREG(info.st_mode) && info.st_size > 0)
    bytes.reserve(static_cast<size_t>(info.st_size));
  // Read to EOF rather than trusting the size, which also handles pipes.
  uint8_t chunk[1 << 16];
  for (;;) {
    const size_t got = std::fread(chunk, 1, sizeof chunk, f);
    bytes.insert(bytes.end(), chunk, chunk + got);
    if (got < sizeof chunk)
      break;
  }
  const bool readFailed = std::ferror(f) != 0;
  const int readErrno = errno;
  std::fclose(f);
  if (readFailed) {
    error = withName(path, std::string("cannot read: ") +
                               std::strerror(readErrno));
    return false;
  }

  Header h;
  std::string why;
  static const uint8_t kNone[1] = {0};
  if (!parseHeader(bytes.empty() ? kNone : bytes.data(), bytes.size(), h,
                   why) ||
      !checkDataSize(h, bytes.size(), why)) {
    error = withName(path, why);
    return false;
  }
  // Reuse the buffer for the data instead of copying a possibly large array.
  bytes.erase(bytes.begin(),
              bytes.begin() + static_cast<std::ptrdiff_t>(h.dataOffset));
  out.dtype = h.dtype;
  out.shape = std::move(h.shape);
  out.data = std::move(bytes);
  return true;
}

bool write(const std::string &path, const Array &a, std::string &error) {
  std::vector<uint8_t> bytes;
  std::string why;
  if (!serialize(a, bytes, why)) {
    error = withName(path, "cannot write: " + why);
    return false;
  }
  FILE *f = std::fopen(path.c_str(), "wb");
  if (!f) {
    error = withName(path, std::string("cannot open for writing: ") +
                               std::strerror(errno));
    return false;
  }
  const size_t put = std::fwrite(bytes.data(), 1, bytes.size(), f);
  const int writeErrno = errno;
  // fclose flushes, so it can fail too (disk full).
  const bool closed = std::fclose(f) == 0;
  if (put != bytes.size() || !closed) {
    error = withName(path, std::string("cannot write: ") +
                               std::strerror(put != bytes.size() ? writeErrno
                                                                 : errno));
    return false;
  }
  return true;
}

std::vector<std::complex<double>> toComplex128(const Array &a) {
  const size_t n = a.data.size() / dtypeSize(a.dtype);
  std::vector<std::complex<double>> out(n);
  const uint8_t *p = a.data.data();
  for (size_t i = 0; i < n; ++i) {
    switch (a.dtype) {
    case DType::F16:
    case DType::BF16: {
      uint16_t bits;
      std::memcpy(&bits, p + 2 * i, 2);
      out[i] = a.dtype == DType::F16 ? halfToFloat(bits) : bfloat16ToFloat(bits);
      break;
    }
    case DType::F32: {
      float v;
      std::memcpy(&v, p + 4 * i, 4);
      out[i] = v;
      break;
    }
    case DType::F64: {
      double v;
      std::memcpy(&v, p + 8 * i, 8);
      out[i] = v;
      break;
    }
    case DType::C64: {
      float v[2];
      std::memcpy(v, p + 8 * i, 8);
      out[i] = {v[0], v[1]};
      break;
    }
    case DType::C128: {
      double v[2];
      std::memcpy(v, p + 16 * i, 16);
      out[i] = {v[0], v[1]};
      break;
    }
    case DType::I32: {
      int32_t v;
      std::memcpy(&v, p + 4 * i, 4);
      out[i] = double(v);
      break;
    }
    case DType::I64: {
      int64_t v;
      std::memcpy(&v, p + 8 * i, 8);
      out[i] = double(v);
      break;
    }
    }
  }
  return out;
}

bool fromComplex128(DType dtype, std::vector<int64_t> shape,
                    const std::vector<std::complex<double>> &values,
                    Array &out, std::string &error) {
  int64_t elements = 0;
  uint64_t bytes = 0;
  if (!shapeSize(shape, dtypeSize(dtype), std::string(" ") + dtypeName(dtype),
                 elements, bytes, error))
    return false;
  if (values.size() != static_cast<uint64_t>(elements)) {
    error = "fromComplex128: " + std::to_string(values.size()) +
            " values for shape " + shapeString(shape) + ", which has " +
            std::to_string(elements) + " elements";
    return false;
  }
  out.dtype = dtype;
  out.shape = std::move(shape);
  out.data.assign(static_cast<size_t>(bytes), 0);
  uint8_t *p = out.data.data();
  for (size_t i = 0; i < values.size(); ++i) {
    const std::complex<double> v = values[i];
    switch (dtype) {
    case DType::F16:
    case DType::BF16: {
      const uint16_t bits = dtype == DType::F16 ? doubleToHalf(v.real())
                                                : doubleToBFloat16(v.real());
      std::memcpy(p + 2 * i, &bits, 2);
      break;
    }
    case DType::F32: {
      const float f = static_cast<float>(v.real());
      std::memcpy(p + 4 * i, &f, 4);
      break;
    }
    case DType::F64: {
      const double d = v.real();
      std::memcpy(p + 8 * i, &d, 8);
      break;
    }
    case DType::C64: {
      const float f[2] = {static_cast<float>(v.real()),
                          static_cast<float>(v.imag())};
      std::memcpy(p + 8 * i, f, 8);
      break;
    }
    case DType::C128: {
      const double d[2] = {v.real(), v.imag()};
      std::memcpy(p + 16 * i, d, 16);
      break;
    }
    // Integers: rounded, saturated; NaN (a poison) is the lowest value.
    case DType::I32: {
      const double r = std::isnan(v.real()) ? -3e9 : std::round(v.real());
      const int32_t x = int32_t(std::clamp(r, -2147483648.0, 2147483647.0));
      std::memcpy(p + 4 * i, &x, 4);
      break;
    }
    case DType::I64: {
      const double r = std::isnan(v.real()) ? -1e19 : std::round(v.real());
      const int64_t x = r <= -9223372036854775808.0 ? INT64_MIN
                        : r >= 9223372036854775807.0 ? INT64_MAX
                                                     : int64_t(r);
      std::memcpy(p + 8 * i, &x, 8);
      break;
    }
    }
  }
  return true;
}

Array fromComplex128(DType dtype, std::vector<int64_t> shape,
                     const std::vector<std::complex<double>> &values) {
  Array out;
  std::string ignored;
  if (!fromComplex128(dtype, shape, values, out, ignored)) {
    out.dtype = dtype;
    out.shape = std::move(shape);
    out.data.clear();
  }
  return out;
}

uint16_t doubleToHalf(double value) { return roundToSmallFloat(value, 5, 10); }
uint16_t floatToHalf(float value) {
  return roundToSmallFloat(static_cast<double>(value), 5, 10);
}
float halfToFloat(uint16_t bits) { return widenSmallFloat(bits, 5, 10); }
uint16_t doubleToBFloat16(double value) {
  return roundToSmallFloat(value, 8, 7);
}
uint16_t floatToBFloat16(float value) {
  return roundToSmallFloat(static_cast<double>(value), 8, 7);
}
float bfloat16ToFloat(uint16_t bits) { return widenSmallFloat(bits, 8, 7); }

} // namespace linop::npy
