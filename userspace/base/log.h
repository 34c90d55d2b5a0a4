// Structured logs: one line per event, a message and key=value fields, in logfmt
// (default) or JSON. Written to stderr; the level and format are process-wide
// settings made once by main().
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>

namespace sluice::log {

enum class Level { kDebug = 0, kInfo, kWarn, kError };
enum class Format { kText, kJson };

void Configure(Level level, Format format);
bool ParseLevel(std::string_view text, Level* level);
bool Enabled(Level level);

struct Field {
  Field(std::string_view k, std::string_view v) : key(k), value(v), quoted(true) {}
  Field(std::string_view k, const char* v) : key(k), value(v ? v : ""), quoted(true) {}
  Field(std::string_view k, const std::string& v) : key(k), value(v), quoted(true) {}
  Field(std::string_view k, bool v) : key(k), value(v ? "true" : "false"), quoted(false) {}
  template <typename T, typename = std::enable_if_t<std::is_arithmetic_v<T>>>
  Field(std::string_view k, T v) : key(k), value(Number(v)), quoted(false) {}

  std::string_view key;
  std::string value;
  bool quoted;

 private:
  template <typename T>
  static std::string Number(T v) {
    if constexpr (std::is_floating_point_v<T>) {
      char buf[32];
      snprintf(buf, sizeof(buf), "%.3f", static_cast<double>(v));
      return buf;
    } else {
      return std::to_string(v);
    }
  }
};

void Write(Level level, std::string_view msg, std::initializer_list<Field> fields);

inline void Debug(std::string_view msg, std::initializer_list<Field> fields = {}) {
  if (Enabled(Level::kDebug)) Write(Level::kDebug, msg, fields);
}
inline void Info(std::string_view msg, std::initializer_list<Field> fields = {}) {
  Write(Level::kInfo, msg, fields);
}
inline void Warn(std::string_view msg, std::initializer_list<Field> fields = {}) {
  Write(Level::kWarn, msg, fields);
}
inline void Error(std::string_view msg, std::initializer_list<Field> fields = {}) {
  Write(Level::kError, msg, fields);
}

}  // namespace sluice::log
