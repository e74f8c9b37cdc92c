// StreamEvents against a real redis-server: answers in order, per-event
// errors that do not end the stream, flow control, and many concurrent
// streams resending the same events paying each once.
#include <atomic>
#include <map>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/fixtures/plaudit_fixture.h"

namespace plaudit::testing {
namespace {

using StreamEventsTest = PlauditTest;
using Chunk = std::vector<v1::Event>;

v1::StreamEventsRequest ChunkRequest(const Chunk& events) {
  v1::StreamEventsRequest request;
  for (const v1::Event& event : events) *request.add_events() = event;
  return request;
}

// Sends every chunk, then reads every answer: the server must keep going
// while nobody reads (flow control, not a deadlock).
grpc::Status Stream(v1::EventService::Stub& stub, const std::vector<Chunk>& chunks,
                    std::vector<v1::StreamEventsResponse>* answers) {
  grpc::ClientContext context;
  auto stream = stub.StreamEvents(&context);
  std::thread reader([&] {
    v1::StreamEventsResponse answer;
    while (stream->Read(&answer)) answers->push_back(answer);
  });
  for (const Chunk& chunk : chunks) {
    if (!stream->Write(ChunkRequest(chunk))) break;
  }
  stream->WritesDone();
  reader.join();
  return stream->Finish();
}

TEST_F(StreamEventsTest, AnswersEachChunkInOrderWithPerEventErrors) {
  CreateRule("post", "post.created", v1::Rule::ACTOR, 10);
  v1::Event bad = MakeEvent("bad", "post.created", "");
  const std::vector<Chunk> chunks = {
      {MakeEvent("s1", "post.created", "ann"), bad,
       MakeEvent("s1", "post.created", "ann")},
      {},
      {MakeEvent("s2", "post.created", "bob")},
  };
  std::vector<v1::StreamEventsResponse> answers;
  ASSERT_TRUE(Stream(*client_->events, chunks, &answers).ok());

  ASSERT_EQ(answers.size(), 3u);
  ASSERT_EQ(answers[0].results_size(), 3);
  EXPECT_EQ(answers[0].results(0).outcome().awards(0).points(), 10);
  EXPECT_FALSE(answers[0].results(0).outcome().duplicate());
  const v1::EventError& error = answers[0].results(1).error();
  EXPECT_EQ(error.event_id(), "bad");
  EXPECT_EQ(error.code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(error.message(), "events[1].actor_id"))
      << error.message();
  EXPECT_TRUE(answers[0].results(2).outcome().duplicate());
  EXPECT_EQ(answers[1].results_size(), 0);
  ASSERT_EQ(answers[2].results_size(), 1);
  EXPECT_EQ(answers[2].results(0).outcome().awards(0).user_id(), "bob");
  EXPECT_EQ(Balance("ann").balance(), 10);
  EXPECT_EQ(Balance("bob").balance(), 10);
}

// A chunk that is not a StreamEventsRequest at all ends the stream with
// INVALID_ARGUMENT saying so, after the chunks before it were answered.
TEST_F(StreamEventsTest, AnUnparseableChunkEndsTheStreamSayingWhy) {
  CreateRule("post", "post.created", v1::Rule::ACTOR, 10);
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>> stream(
      grpc::internal::ClientReaderWriterFactory<grpc::ByteBuffer, grpc::ByteBuffer>::Create(
          client_->channel.get(),
          grpc::internal::RpcMethod("/plaudit.v1.EventService/StreamEvents",
                                    grpc::internal::RpcMethod::BIDI_STREAMING),
          &context));
  auto send = [&](const std::string& bytes) {
    grpc::Slice slice(bytes);
    grpc::ByteBuffer buffer(&slice, 1);
    return stream->Write(buffer);
  };
  ASSERT_TRUE(send(ChunkRequest({MakeEvent("ok", "post.created", "ann")}).SerializeAsString()));
  grpc::ByteBuffer answer;
  ASSERT_TRUE(stream->Read(&answer));
  send("\x0a\xff\x01 not a chunk");
  while (stream->Read(&answer)) {
  }
  const grpc::Status status = stream->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "StreamEventsRequest"))
      << status.error_message();
  EXPECT_EQ(ErrorReasonOf(status), "MALFORMED_REQUEST");
  EXPECT_EQ(Balance("ann").balance(), 10);
}

TEST_F(StreamEventsTest, AnOversizedChunkEndsTheStreamAndRecordsNothingOfIt) {
  CreateRule("post", "post.created", v1::Rule::ACTOR, 10);
  Chunk huge;
  for (int i = 0; i < 1001; ++i) {
    huge.push_back(MakeEvent(absl::StrCat("h", i), "post.created", "ann"));
  }
  std::vector<v1::StreamEventsResponse> answers;
  const grpc::Status status = Stream(
      *client_->events, {{MakeEvent("first", "post.created", "ann")}, huge},
      &answers);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "events"));
  ASSERT_EQ(answers.size(), 1u);  // the chunk before it was answered
  EXPECT_EQ(Balance("ann").balance(), 10);
}

TEST_F(StreamEventsTest, ManyChunksSentWithoutReadingAllComeBackInOrder) {
  CreateRule("post", "post.created", v1::Rule::ACTOR, 1);
  std::vector<Chunk> chunks(300);
  for (int c = 0; c < 300; ++c) {
    for (int e = 0; e < 5; ++e) {
      chunks[c].push_back(MakeEvent(absl::StrCat("c", c, "e", e), "post.created",
                                    absl::StrCat("u", e)));
    }
  }
  std::vector<v1::StreamEventsResponse> answers;
  ASSERT_TRUE(Stream(*client_->events, chunks, &answers).ok());
  ASSERT_EQ(answers.size(), 300u);
  for (int c = 0; c < 300; ++c) {
    ASSERT_EQ(answers[c].results_size(), 5);
    EXPECT_EQ(answers[c].results(4).outcome().event_id(), absl::StrCat("c", c, "e4"));
  }
  for (int e = 0; e < 5; ++e) EXPECT_EQ(Balance(absl::StrCat("u", e)).balance(), 300);
}

TEST_F(StreamEventsTest, ConcurrentStreamsResendingTheSameEventsPayEachOnce) {
  CreateRule("post", "post.created", v1::Rule::ACTOR, 7);
  constexpr int kEvents = 400, kUsers = 20, kStreams = 8;
  std::vector<Chunk> chunks;
  for (int i = 0; i < kEvents; i += 25) {
    Chunk chunk;
    for (int e = i; e < i + 25; ++e) {
      chunk.push_back(MakeEvent(absl::StrCat("r", e), "post.created",
                                absl::StrCat("u", e % kUsers)));
    }
    chunks.push_back(chunk);
  }
  std::atomic<int> first{0}, duplicates{0}, failures{0};
  std::vector<std::thread> streams;
  for (int s = 0; s < kStreams; ++s) {
    streams.emplace_back([&, s] {
      // Each stream sends the chunks in its own order.
      std::vector<Chunk> mine(chunks);
      std::rotate(mine.begin(), mine.begin() + (s * 3) % mine.size(), mine.end());
      std::vector<v1::StreamEventsResponse> answers;
      if (!Stream(*client_->events, mine, &answers).ok()) ++failures;
      for (const auto& answer : answers) {
        for (const auto& result : answer.results()) {
          if (!result.has_outcome()) ++failures;
          (result.outcome().duplicate() ? duplicates : first)++;
        }
      }
    });
  }
  for (auto& stream : streams) stream.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(first.load(), kEvents);
  EXPECT_EQ(duplicates.load(), kEvents * (kStreams - 1));
  for (int u = 0; u < kUsers; ++u) {
    EXPECT_EQ(Balance(absl::StrCat("u", u)).balance(), 7 * kEvents / kUsers);
  }
}

TEST_F(StreamEventsTest, AClientThatGoesAwayMidStreamLetsTheServerStop) {
  CreateRule("post", "post.created", v1::Rule::ACTOR, 1);
  grpc::ClientContext context;
  auto stream = client_->events->StreamEvents(&context);
  for (int c = 0; c < 40; ++c) {  // far more than the window, never read
    Chunk chunk;
    for (int e = 0; e < 50; ++e) {
      chunk.push_back(MakeEvent(absl::StrCat("g", c, "-", e), "post.created", "ann"));
    }
    if (!stream->Write(ChunkRequest(chunk))) break;
  }
  context.TryCancel();
  EXPECT_FALSE(stream->Finish().ok());
  // A stream that never finished would keep this from returning (the test
  // would time out): shutting down waits for every call.
  server_->Shutdown(absl::Seconds(30));
  server_.reset();
  // Whatever was recorded was paid once per event, never more.
  server_ = StartServer(Options());
  client_ = std::make_unique<Client>(server_->port());
  EXPECT_LE(Balance("ann").balance(), 40 * 50);
  EXPECT_EQ(static_cast<size_t>(Balance("ann").balance()), Ledger("ann").size());
}

}  // namespace
}  // namespace plaudit::testing
