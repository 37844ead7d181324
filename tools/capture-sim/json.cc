#include "tools/capture-sim/json.h"

#include <cstdlib>

#include <nlohmann/json.hpp>

namespace capture::sim {

namespace {

JsonValue FromNlohmann(const nlohmann::ordered_json& j) {
  JsonValue out;
  switch (j.type()) {
    case nlohmann::ordered_json::value_t::boolean:
      out.type = JsonValue::Type::kBool;
      out.boolean = j.get<bool>();
      break;
    case nlohmann::ordered_json::value_t::number_integer:
    case nlohmann::ordered_json::value_t::number_unsigned:
    case nlohmann::ordered_json::value_t::number_float:
      out.type = JsonValue::Type::kNumber;
      out.text = j.dump();
      break;
    case nlohmann::ordered_json::value_t::string:
      out.type = JsonValue::Type::kString;
      out.text = j.get<std::string>();
      break;
    case nlohmann::ordered_json::value_t::array:
      out.type = JsonValue::Type::kArray;
      for (const auto& item : j) out.items.push_back(FromNlohmann(item));
      break;
    case nlohmann::ordered_json::value_t::object:
      out.type = JsonValue::Type::kObject;
      for (const auto& [key, value] : j.items()) out.members.emplace_back(key, FromNlohmann(value));
      break;
    default:
      break;
  }
  return out;
}

}  // namespace

const JsonValue* JsonValue::Get(std::string_view key) const {
  for (const auto& [name, value] : members) {
    if (name == key) return &value;
  }
  return nullptr;
}

std::string JsonValue::String(std::string_view key) const {
  const JsonValue* v = Get(key);
  return v != nullptr && v->type == Type::kString ? v->text : "";
}

long long JsonValue::Integer(std::string_view key) const {
  const JsonValue* v = Get(key);
  if (v == nullptr || v->type != Type::kNumber) return 0;
  char* end = nullptr;
  const long long n = std::strtoll(v->text.c_str(), &end, 10);
  return end != nullptr && *end == '\0' ? n : 0;
}

bool JsonValue::Bool(std::string_view key) const {
  const JsonValue* v = Get(key);
  return v != nullptr && v->type == Type::kBool && v->boolean;
}

std::vector<std::string> JsonValue::Strings(std::string_view key) const {
  std::vector<std::string> out;
  const JsonValue* v = Get(key);
  if (v == nullptr || v->type != Type::kArray) return out;
  for (const JsonValue& item : v->items) {
    if (item.type == Type::kString) out.push_back(item.text);
  }
  return out;
}

Result<JsonValue> ParseJson(std::string_view text, std::string_view source) {
  try {
    return FromNlohmann(nlohmann::ordered_json::parse(text.begin(), text.end()));
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string(source) + ": bad JSON: " + e.what());
  }
}

Status ForEachJsonLine(std::string_view text, std::string_view source,
                       const std::function<Status(const JsonValue& value, const std::string& where)>& fn) {
  size_t line_no = 0;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    const std::string where = std::string(source) + " line " + std::to_string(line_no);
    auto value = ParseJson(line, where);
    if (!value.ok()) return value.status();
    if (Status st = fn(*value, where); !st.ok()) return st;
  }
  return Status::Ok();
}

std::string JsonQuote(std::string_view s) {
  return nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string JsonStringArray(const std::vector<std::string>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + JsonQuote(values[i]);
  return out + "]";
}

}  // namespace capture::sim
