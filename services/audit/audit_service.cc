#include "services/audit/audit_service.h"

#include "services/common/grpc_status.h"
#include "services/common/paging.h"
#include "services/common/validation.h"

namespace plaudit {
namespace {

constexpr char kAuditToken[] = "audit";

absl::Time ToAbsl(const google::protobuf::Timestamp& ts, absl::Time unset) {
  if (ts.seconds() == 0 && ts.nanos() == 0) return unset;
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

}  // namespace

AuditService::AuditService(AuditLog* log, CallGate gate)
    : RpcService(v1::AuditService::service_full_name(), gate), log_(log) {
  Handle("ListAuditEvents", &AuditService::ListAuditEvents);
}

absl::Status AuditService::ListAuditEvents(
    const Caller& caller, const v1::ListAuditEventsRequest& request,
    v1::ListAuditEventsResponse* response) {
  if (auto s = ValidateText("kind", request.kind(), 64); !s.ok()) return s;
  absl::StatusOr<int32_t> size =
      ResolvePageSize("page_size", request.page_size());
  if (!size.ok()) return size.status();
  const absl::Time start = ToAbsl(request.start_time(), absl::InfinitePast());
  const absl::Time end = ToAbsl(request.end_time(), absl::InfiniteFuture());
  if (start >= end) {
    return InvalidField("end_time", "must be after start_time");
  }
  absl::StatusOr<PageRequest> asked = ReadPageRequest(kAuditToken, request);
  if (!asked.ok()) return asked.status();
  absl::StatusOr<AuditPage> page = log_->List(
      caller.tenant, request.kind(), start, end, asked->cursor, asked->size);
  if (!page.ok()) return page.status();
  for (auto& event : page->events) *response->add_events() = std::move(event);
  response->set_next_page_token(NextPageToken(kAuditToken, page->last_id));
  return absl::OkStatus();
}

}  // namespace plaudit
