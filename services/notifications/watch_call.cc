#include "services/notifications/watch_call.h"

#include "absl/strings/str_cat.h"
#include "services/common/call_metadata.h"
#include "services/common/error_reason.h"
#include "services/common/grpc_status.h"
#include "services/rpc/request_parsing.h"
#include "services/store/keys.h"

namespace plaudit {
namespace {

// Notifications taken from memory or Redis at a time.
constexpr size_t kBatch = 100;

// A call refused before it began.
class RefusedStream final : public WatchCall::Reactor {
 public:
  explicit RefusedStream(const absl::Status& status) {
    Finish(ToGrpcStatus(status));
  }
  void OnDone() override { delete this; }
};

}  // namespace

// The gRPC side of a call: hands its events to the WatchCall, which it
// keeps alive until the call is done.
class WatchCall::Stream final : public Reactor {
 public:
  explicit Stream(std::shared_ptr<WatchCall> call) : call_(std::move(call)) {}
  void OnWriteDone(bool ok) override { call_->OnWriteDone(ok); }
  void OnCancel() override { call_->OnCancel(); }
  void OnDone() override {
    call_->OnDone();
    delete this;
  }

 private:
  const std::shared_ptr<WatchCall> call_;
};

WatchCall::Reactor* WatchCall::Refused(const absl::Status& status) {
  return new RefusedStream(status);
}

WatchCall::WatchCall(grpc::CallbackServerContext* context, OutboxFeed* feed,
                     std::string tenant, NotificationFilter filter)
    : context_(context),
      feed_(feed),
      tenant_(std::move(tenant)),
      filter_(std::move(filter)) {}

WatchCall::Reactor* WatchCall::Start(grpc::CallbackServerContext* context,
                                     OutboxFeed* feed, RedisClient* redis,
                                     std::string tenant,
                                     NotificationFilter filter,
                                     std::string after) {
  const KeySchema keys(tenant);
  std::shared_ptr<WatchCall> call(
      new WatchCall(context, feed, std::move(tenant), std::move(filter)));
  auto* stream = new Stream(call);
  {
    absl::MutexLock lock(&call->mu_);
    call->stream_ = stream;
    call->reading_ = true;  // until Begin
  }
  redis->Send({{"GET", keys.OutboxTrimmed()},
               {"XREVRANGE", keys.Outbox(), "+", "-", "COUNT", "1"}},
              [call, after = std::move(after)](RedisReplies replies) {
                call->Begin(after, std::move(replies));
              });
  return stream;
}

void WatchCall::Begin(const std::string& after, RedisReplies replies) {
  Stream* finish = nullptr;
  {
    absl::MutexLock lock(&mu_);
    reading_ = false;
    if (finished_) return;  // cancelled meanwhile
    absl::Status status = replies.status();
    for (size_t i = 0; status.ok() && i < replies->size(); ++i) {
      if ((*replies)[i].is_error()) status = RedisErrorStatus((*replies)[i].str);
    }
    if (status.ok() && !after.empty()) {
      // Checked by the caller: a stream id.
      cursor_ = StreamId::Parse(after).value_or(StreamId());
      const std::optional<StreamId> trimmed =
          StreamId::Parse(replies->at(0).str);
      if (trimmed.has_value() && cursor_ < *trimmed) {
        status = WithReason(
            absl::OutOfRangeError(absl::StrCat(
                "after: notifications before ", trimmed->ToString(),
                " are no longer kept; start again without a cursor (the "
                "inbox and ListNotifications keep each user's latest)")),
            "CURSOR_EXPIRED", {{"field", "after"}});
      }
    } else if (status.ok()) {
      const RedisValue& newest = replies->at(1);
      if (!newest.elements.empty() && !newest.elements[0].elements.empty()) {
        cursor_ = StreamId::Parse(newest.elements[0].elements[0].str)
                      .value_or(StreamId());
      }
    }
    if (!status.ok()) {
      finish = Finishing(status);
    } else if (stream_ != nullptr) {
      // Headers now: an HTTP gateway starts its event stream on them.
      context_->AddInitialMetadata(kStreamBegunHeader, "1");
      stream_->StartSendInitialMetadata();
    }
  }
  if (finish != nullptr) return FinishNow(finish);
  feed_->Subscribe(tenant_, weak_from_this());
  Pump();
}

void WatchCall::Pump() {
  Stream* write = nullptr;
  bool read = false;
  StreamId from;
  {
    absl::MutexLock lock(&mu_);
    if (stream_ == nullptr || finished_ || writing_) return;
    if (reading_) {
      woken_ = true;
      return;
    }
    while (write == nullptr && !read) {
      while (next_ < batch_.size()) {
        const OutboxFeed::Entry& entry = *batch_[next_++];
        cursor_ = entry.id;
        if (!filter_.Accepts(entry.notification, entry.groups)) continue;
        out_.Clear();
        if (SerializeResponse(entry.notification, &out_).ok()) {
          writing_ = true;
          write = stream_;
          break;
        }
      }
      if (write != nullptr) break;
      batch_.clear();
      next_ = 0;
      std::optional<OutboxFeed::Entries> kept =
          feed_->After(tenant_, cursor_, kBatch);
      if (kept.has_value()) {
        if (kept->empty()) return;  // up to date: until the feed wakes us
        batch_ = std::move(*kept);
        continue;
      }
      reading_ = true;
      woken_ = false;
      read = true;
      from = cursor_;
    }
  }
  // out_ is left alone while the write is in flight.
  if (write != nullptr) return write->StartWrite(&out_);
  feed_->Read(tenant_, from, kBatch,
              [self = shared_from_this()](
                  absl::StatusOr<OutboxFeed::Entries> entries) {
                self->OnRead(std::move(entries));
              });
}

void WatchCall::OnRead(absl::StatusOr<OutboxFeed::Entries> entries) {
  Stream* finish = nullptr;
  bool again = false;
  {
    absl::MutexLock lock(&mu_);
    reading_ = false;
    if (!entries.ok()) {
      finish = Finishing(entries.status());
    } else {
      // Nothing in Redis either: up to date, until the feed wakes us (or
      // already did while we read).
      again = !entries->empty() || woken_;
      batch_ = *std::move(entries);
      next_ = 0;
    }
  }
  if (finish != nullptr) return FinishNow(finish);
  if (again) Pump();
}

void WatchCall::OnWriteDone(bool ok) {
  Stream* finish = nullptr;
  {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok && !finished_) {
      finish = Finishing(absl::CancelledError("the client went away"));
    } else if (finished_ && stream_ != nullptr) {
      finish = stream_;  // finishing waited for this write
    }
  }
  if (finish != nullptr) return FinishNow(finish);
  Pump();
}

void WatchCall::OnCancel() {
  Stream* finish = nullptr;
  {
    absl::MutexLock lock(&mu_);
    if (!finished_) {
      finish = Finishing(absl::CancelledError("the client went away"));
    }
  }
  if (finish != nullptr) FinishNow(finish);
}

void WatchCall::OnDone() {
  {
    absl::MutexLock lock(&mu_);
    stream_ = nullptr;
  }
  feed_->Unsubscribe(tenant_, this);
}

WatchCall::Stream* WatchCall::Finishing(absl::Status status) {
  finished_ = true;
  final_status_ = std::move(status);
  return writing_ ? nullptr : stream_;
}

void WatchCall::FinishNow(Stream* stream) {
  absl::Status status;
  {
    absl::MutexLock lock(&mu_);
    status = final_status_;
  }
  stream->Finish(ToGrpcStatus(status));
}

}  // namespace plaudit
