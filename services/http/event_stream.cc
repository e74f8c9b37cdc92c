#include "services/http/event_stream.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/client_context.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "grpcpp/support/client_callback.h"
#include "services/common/call_metadata.h"
#include "services/http/transcoder.h"

namespace plaudit {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// A string field of `message` named `name`, "" when there is none.
std::string StringField(const Message& message, const char* name) {
  const FieldDescriptor* field = message.GetDescriptor()->FindFieldByName(name);
  if (field == nullptr || field->is_repeated() ||
      field->cpp_type() != FieldDescriptor::CPPTYPE_STRING) {
    return "";
  }
  return message.GetReflection()->GetString(message, field);
}

// Calls `f(false)` on destruction if it was never called: a callback the
// HTTP side dropped (its connection or server gone) still releases what
// waits for it.
class Once {
 public:
  explicit Once(std::function<void(bool)> f) : f_(std::move(f)) {}
  ~Once() {
    if (f_) f_(false);
  }
  void operator()(bool ok) { std::exchange(f_, nullptr)(ok); }

 private:
  std::function<void(bool)> f_;
};

// The call's reactor. It deletes itself when the call is done. While the
// HTTP side owes it a callback (the body's writer, a written event), a
// hold keeps it alive; otherwise the HTTP side reaches it only through
// `Link`, which forgets it when it is done.
class StreamReactor final
    : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  // What the HTTP side's callbacks share with the reactor.
  struct Link {
    absl::Mutex mu;
    StreamReactor* reactor ABSL_GUARDED_BY(mu) = nullptr;
  };

  StreamReactor(EventStreamCall call, std::function<void(HttpResponse)> respond)
      : call_(std::move(call)),
        respond_(std::move(respond)),
        link_(std::make_shared<Link>()) {
    link_->reactor = this;
    context_.set_deadline(absl::ToChronoTime(absl::Now() + call_.max_age));
    for (const auto& [name, value] : call_.metadata) {
      context_.AddMetadata(name, value);
    }
    const std::string bytes = call_.request->SerializeAsString();
    grpc::Slice slice(bytes);
    request_ = grpc::ByteBuffer(&slice, 1);
  }

  void Begin() {
    call_.stub->PrepareBidiStreamingCall(&context_, call_.route->grpc_path,
                                         grpc::StubOptions(), this);
    StartWriteLast(&request_, grpc::WriteOptions());
    StartRead(&incoming_);
    StartCall();
  }

  // Admitted: the server sent its headers, saying the stream began. The
  // body begins. (A refused call's end may come as headers too.)
  void OnReadInitialMetadataDone(bool ok) override {
    if (!ok || context_.GetServerInitialMetadata().count(kStreamBegunHeader) ==
                   0) {
      return;  // OnDone answers with the call's status
    }
    HttpResponse response;
    response.content_type = "text/event-stream; charset=utf-8";
    response.headers = {{"Cache-Control", "no-cache"},
                        {"X-Accel-Buffering", "no"}};
    AddHold();  // until the writer is here
    auto attach = std::make_shared<Once>([this](bool attached) {
      if (!attached) {
        // No connection to write to: the events read meanwhile go nowhere
        // either, and release what they held.
        context_.TryCancel();
        std::vector<std::string> waiting;
        {
          absl::MutexLock lock(&mu_);
          waiting.swap(waiting_);
        }
        for (size_t i = 0; i < waiting.size(); ++i) RemoveHold();
      }
      RemoveHold();
    });
    response.stream = [this, attach](std::shared_ptr<HttpBodyWriter> writer) {
      Attach(std::move(writer));
      (*attach)(true);
    };
    {
      absl::MutexLock lock(&mu_);
      started_ = true;
    }
    respond_(std::move(response));
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;  // the call ends: OnDone
    std::unique_ptr<Message> message(
        google::protobuf::MessageFactory::generated_factory()
            ->GetPrototype(call_.route->method->output_type())
            ->New());
    std::string event;
    if (grpc::SerializationTraits<Message>::Deserialize(&incoming_,
                                                        message.get())
            .ok()) {
      event = SseEvent(*message);
    }
    incoming_.Clear();
    if (event.empty()) {  // not parsed: skipped (an empty piece ends a body)
      StartRead(&incoming_);
      return;
    }
    // The next read waits until this event is written.
    AddHold();
    std::shared_ptr<HttpBodyWriter> writer;
    {
      absl::MutexLock lock(&mu_);
      writer = writer_;
      // The first event may come before the head is written: it waits.
      if (writer == nullptr) return waiting_.push_back(std::move(event));
    }
    WriteEvent(*writer, std::move(event));
  }

  void OnDone(const grpc::Status& status) override {
    {
      absl::MutexLock lock(&link_->mu);
      link_->reactor = nullptr;
    }
    std::shared_ptr<HttpBodyWriter> writer;
    bool started;
    {
      absl::MutexLock lock(&mu_);
      writer = writer_;
      started = started_;
    }
    if (!started) {
      // Refused before it began: an ordinary JSON error.
      const HttpError error = ToHttpError(status);
      HttpResponse response;
      response.status = error.status;
      response.body = error.body;
      if (error.retry_after_seconds) {
        response.headers.emplace_back(
            "Retry-After", absl::StrCat(*error.retry_after_seconds));
      }
      respond_(std::move(response));
    } else if (writer != nullptr) {
      // Its age reached (or the client left): the client reconnects with
      // Last-Event-ID. Any other end is told as an "error" event.
      if (!status.ok() &&
          status.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED &&
          status.error_code() != grpc::StatusCode::CANCELLED) {
        writer->Write(absl::StrCat("event: error\ndata: ",
                                   ToHttpError(status).body, "\n\n"),
                      [](bool) {});
      }
      writer->End();
    }
    delete this;
  }

 private:
  // Writes an event read (holding the call), then reads the next.
  void WriteEvent(HttpBodyWriter& writer, std::string event) {
    auto written = std::make_shared<Once>([this](bool ok) {
      if (ok) {
        StartRead(&incoming_);
      } else {
        context_.TryCancel();
      }
      RemoveHold();
    });
    writer.Write(std::move(event), [written](bool ok) { (*written)(ok); });
  }

  void Attach(std::shared_ptr<HttpBodyWriter> writer) {
    // A browser's EventSource waits this long before reconnecting.
    writer->Write("retry: 2000\n\n", [](bool) {});
    std::shared_ptr<Link> link = link_;
    writer->OnClosed([link] {
      absl::MutexLock lock(&link->mu);
      if (link->reactor != nullptr) link->reactor->context_.TryCancel();
    });
    std::vector<std::string> waiting;
    {
      absl::MutexLock lock(&mu_);
      writer_ = writer;
      waiting.swap(waiting_);
    }
    for (std::string& event : waiting) WriteEvent(*writer, std::move(event));
  }

  EventStreamCall call_;
  std::function<void(HttpResponse)> respond_;
  const std::shared_ptr<Link> link_;
  grpc::ClientContext context_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer incoming_;
  absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  std::shared_ptr<HttpBodyWriter> writer_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> waiting_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

std::string SseEvent(const Message& message) {
  std::string event;
  const std::string id = StringField(message, "id");
  const std::string kind = StringField(message, "kind");
  if (!id.empty()) absl::StrAppend(&event, "id: ", id, "\n");
  if (!kind.empty()) absl::StrAppend(&event, "event: ", kind, "\n");
  // JSON escapes line breaks inside strings: one data line.
  absl::StrAppend(&event, "data: ", ToJson(message), "\n\n");
  return event;
}

void StartEventStream(EventStreamCall call,
                      std::function<void(HttpResponse)> respond) {
  (new StreamReactor(std::move(call), std::move(respond)))->Begin();
}

}  // namespace plaudit
