#include "services/rpc/request_parsing.h"

#include "gtest/gtest.h"
#include "plaudit/v1/event_service.pb.h"
#include "services/common/error_reason.h"

namespace plaudit {
namespace {

grpc::ByteBuffer Bytes(const std::string& s) {
  grpc::Slice slice(s);
  return grpc::ByteBuffer(&slice, 1);
}

TEST(ParseRequestTest, ParsesWhatIsValid) {
  v1::RecordEventsRequest sent;
  sent.add_events()->set_event_id("e1");
  sent.add_events()->set_actor_id("аня");  // UTF-8 is fine
  v1::RecordEventsRequest got;
  ASSERT_TRUE(ParseRequest(Bytes(sent.SerializeAsString()), &got).ok());
  EXPECT_EQ(got.events(1).actor_id(), "аня");
}

TEST(ParseRequestTest, NamesTheStringFieldThatIsNotUtf8) {
  v1::RecordEventsRequest sent;
  sent.add_events()->set_event_id("fine");
  v1::Event* bad = sent.add_events();
  bad->set_event_id("e2");
  bad->add_tags("ok");
  bad->add_tags(std::string("\xC3\x28", 2));  // an invalid 2-byte sequence
  // protobuf refuses to serialize it too: build the bytes by hand.
  std::string bytes;
  sent.SerializePartialToString(&bytes);
  v1::RecordEventsRequest got;
  const absl::Status status = ParseRequest(Bytes(bytes), &got);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "events[1].tags[1]: is not valid UTF-8 (send text, or base64)");
  EXPECT_EQ(ErrorReason(status), "INVALID_UTF8");
}

TEST(ParseRequestTest, TruncatedBytesAreAMalformedRequest) {
  v1::RecordEventRequest sent;
  sent.mutable_event()->set_event_id("e1");
  sent.mutable_event()->set_action("post.created");
  const std::string bytes = sent.SerializeAsString();
  v1::RecordEventRequest got;
  const absl::Status status =
      ParseRequest(Bytes(bytes.substr(0, bytes.size() - 3)), &got);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorReason(status), "MALFORMED_REQUEST");
  EXPECT_NE(status.message().find("plaudit.v1.RecordEventRequest"),
            std::string::npos);
  EXPECT_EQ(ParseRequest(Bytes("\xff\xff\xff\xff"), &got).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(Utf8Test, AcceptsWhatProtobufAcceptsAndNothingElse) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("Привет, 世界, \xF0\x9F\x8E\x89"));
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));   // U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // a surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));          // cut short
  EXPECT_FALSE(IsValidUtf8("\x80"));              // a lone continuation
  // Whatever protobuf itself accepts, this accepts (and the reverse).
  for (int c = 0; c < 256; ++c) {
    for (int d = 0; d < 256; d += 7) {
      const std::string s{static_cast<char>(c), static_cast<char>(d), '\x80',
                          '\x80'};
      v1::Event event;
      event.set_actor_id(s);
      std::string bytes;
      event.SerializePartialToString(&bytes);
      v1::Event parsed;
      EXPECT_EQ(parsed.ParseFromString(bytes), IsValidUtf8(s)) << c << " " << d;
    }
  }
}

}  // namespace
}  // namespace plaudit
