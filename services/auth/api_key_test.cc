#include "services/auth/api_key.h"

#include "gtest/gtest.h"

namespace plaudit {
namespace {

TEST(ApiKeyTest, GeneratedKeysParseAndMatchOnlyTheirOwnSecret) {
  const NewKey key = GenerateKey("acme", v1::INTEGRATION, "portal");
  EXPECT_EQ(key.record.tenant(), "acme");
  EXPECT_TRUE(key.record.secret_sha256().find(key.secret) == std::string::npos);
  const auto presented = ParseBearer("Bearer " + key.secret);
  ASSERT_TRUE(presented.ok()) << presented.status();
  EXPECT_EQ(presented->tenant, "acme");
  EXPECT_EQ(presented->key_id, key.record.key_id());
  EXPECT_TRUE(SecretMatches(key.record, presented->secret));
  EXPECT_FALSE(SecretMatches(key.record, presented->secret + "0"));
  const NewKey other = GenerateKey("acme", v1::INTEGRATION, "portal");
  EXPECT_NE(other.record.salt(), key.record.salt());
  EXPECT_FALSE(SecretMatches(other.record, presented->secret));
}

TEST(ApiKeyTest, MalformedHeadersAreUnauthenticated) {
  const std::string id(16, 'a'), secret(48, 'b');
  for (const std::string header :
       {std::string(""), std::string("Bearer"), std::string("Basic abc"),
        "Bearer plk.acme.zz." + secret, "Bearer xyz.acme." + id + "." + secret,
        "Bearer plk.." + id + "." + secret, "Bearer plk.acme." + id,
        "Bearer plk.acme}:event:x." + id + "." + secret,
        "Bearer plk.acme.00." + secret, "Bearer plk.acme." + id + ".00",
        "Bearer plk.acme." + std::string(16, 'A') + "." + secret}) {
    EXPECT_EQ(ParseBearer(header).status().code(),
              absl::StatusCode::kUnauthenticated)
        << header;
  }
}

}  // namespace
}  // namespace plaudit
