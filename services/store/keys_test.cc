// Every key family is listed in keys.h: reads the Lua scripts and every C++
// source plauditd and plauditctl are built from (:key_builders, collected
// through their deps) and fails on a key prefix they build that
// kKeyFamilies does not list, and on a listed family nothing builds.
#include "services/store/keys.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace plaudit {
namespace {

std::string Read(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Prefix -> the first file building it. A key is built as the tenant's
// prefix followed by a literal: `prefix .. 'acct:'` or `prefix .. (hidden
// and 'lbh:' or 'lb:')` in Lua, `StrCat(prefix_, "acct:"` or `hidden ?
// "lbh:" : "lb:"` in C++.
std::map<std::string, std::string> BuiltPrefixes() {
  static const std::regex lua(R"(prefix \.\. (\([^)]*\)|'[^']*'))");
  static const std::regex cpp(
      R"(prefix(?:_|\(\)),\s*([^,"]*\?\s*"[^"]*"\s*:\s*"[^"]*"|"[^"]*"))");
  static const std::regex literal(R"(['"]([^'"]+)['"])");
  std::map<std::string, std::string> built;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(".")) {
    const std::string path = entry.path().lexically_relative(".").string();
    const std::string ext = entry.path().extension().string();
    if (ext != ".lua" && ext != ".cc" && ext != ".h") continue;
    if (path.find("_test.cc") != std::string::npos) continue;
    const std::string text = Read(entry.path());
    const std::regex& builder = ext == ".lua" ? lua : cpp;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), builder);
         it != std::sregex_iterator(); ++it) {
      const std::string part = (*it)[1].str();
      for (auto lit = std::sregex_iterator(part.begin(), part.end(), literal);
           lit != std::sregex_iterator(); ++lit) {
        built.emplace((*lit)[1].str(), path);
      }
    }
  }
  return built;
}

TEST(KeySchemaTest, EveryPrefixTheSourcesBuildIsListed) {
  std::set<std::string> listed;
  for (const KeyFamily& family : kKeyFamilies) {
    EXPECT_TRUE(listed.insert(std::string(family.prefix)).second)
        << family.prefix << " is listed twice";
  }
  const std::map<std::string, std::string> built = BuiltPrefixes();
  ASSERT_GT(built.size(), 20u) << "the sources were not found";
  for (const auto& [prefix, file] : built) {
    EXPECT_EQ(listed.count(prefix), 1u)
        << file << " builds keys \"" << prefix
        << "\", which services/store/keys.h does not list";
  }
  for (const std::string& prefix : listed) {
    EXPECT_EQ(built.count(prefix), 1u)
        << "keys.h lists \"" << prefix << "\", which nothing builds";
  }
}

TEST(KeySchemaTest, NoKeyIsSpelledOutsideTheSchema) {
  for (const auto& entry : std::filesystem::recursive_directory_iterator(".")) {
    const std::string path = entry.path().lexically_relative(".").string();
    const std::string ext = entry.path().extension().string();
    if (ext != ".lua" && ext != ".cc" && ext != ".h") continue;
    if (path == "services/store/keys.h" ||
        path == "services/store/keys_test.cc") {
      continue;
    }
    EXPECT_EQ(Read(entry.path()).find("plaudit:{"), std::string::npos)
        << path << " spells a key by hand; use KeySchema";
  }
}

TEST(KeySchemaTest, OneTenantsKeysShareOneClusterSlot) {
  const KeySchema schema("acme");
  EXPECT_EQ(schema.Account("u1"), "plaudit:{acme}:acct:u1");
  EXPECT_EQ(schema.Board("w:2026-W48", "dept:sales", true),
            "plaudit:{acme}:lbh:w:2026-W48:dept:sales");
  EXPECT_EQ(schema.Audit(), "plaudit:{acme}:audit");
}

}  // namespace
}  // namespace plaudit
