#include "services/accounts/account_service.h"

#include "absl/strings/str_cat.h"
#include "services/common/call_guard.h"
#include "services/common/error_reason.h"
#include "services/common/grpc_status.h"
#include "services/common/paging.h"
#include "services/common/validation.h"

namespace plaudit {
namespace {

constexpr char kLedgerToken[] = "ledger";
constexpr int64_t kMaxAdjustment = 1'000'000;

absl::Status ValidateAdjustment(const v1::AdjustBalanceRequest& request) {
  if (auto s = ValidateId("user_id", request.user_id()); !s.ok()) return s;
  if (request.delta() == 0 || request.delta() > kMaxAdjustment ||
      request.delta() < -kMaxAdjustment) {
    return InvalidField(
        "delta", absl::StrCat("must be non-zero and within +-", kMaxAdjustment,
                              ", got ", request.delta()));
  }
  if (request.reason().empty()) return InvalidField("reason", "is required");
  if (auto s = ValidateText("reason", request.reason(), 512); !s.ok()) return s;
  return ValidateId("request_id", request.request_id());
}

}  // namespace

AccountService::AccountService(ForTenant<AccountStore> stores, CallGate gate,
                               AuditLog* audit)
    : RpcService(v1::AccountService::service_full_name(), gate),
      stores_(std::move(stores)),
      audit_(audit) {
  Handle("GetBalance", &AccountService::GetBalance);
  Handle("ListTransactions", &AccountService::ListTransactions);
  Handle("AdjustBalance", &AccountService::AdjustBalance);
}

absl::Status AccountService::GetBalance(const Caller& caller,
                                        const v1::GetBalanceRequest& request,
                                        v1::GetBalanceResponse* response) {
  if (auto s = ValidateId("user_id", request.user_id()); !s.ok()) return s;
  absl::StatusOr<v1::Balance> balance =
      stores_(caller.tenant).GetBalance(request.user_id());
  if (!balance.ok()) return balance.status();
  *response->mutable_balance() = *std::move(balance);
  return absl::OkStatus();
}

absl::Status AccountService::ListTransactions(
    const Caller& caller, const v1::ListTransactionsRequest& request,
    v1::ListTransactionsResponse* response) {
  if (auto s = ValidateId("user_id", request.user_id()); !s.ok()) return s;
  absl::StatusOr<PageRequest> asked = ReadPageRequest(kLedgerToken, request);
  if (!asked.ok()) return asked.status();
  // The ledger entry (a stream id) the previous page ended at.
  if (!asked->cursor.empty() && !IsStreamId(asked->cursor)) {
    return InvalidField("page_token", "is malformed");
  }
  absl::StatusOr<LedgerPage> page =
      stores_(caller.tenant)
          .ListLedger(request.user_id(), asked->cursor, asked->size);
  if (!page.ok()) return page.status();
  for (auto& entry : page->entries) *response->add_entries() = std::move(entry);
  response->set_next_page_token(
      NextPageToken(kLedgerToken, page->last_entry_id));
  return absl::OkStatus();
}

absl::Status AccountService::AdjustBalance(
    const Caller& caller, const v1::AdjustBalanceRequest& request,
    v1::AdjustBalanceResponse* response) {
  if (auto s = ValidateAdjustment(request); !s.ok()) return s;
  if (caller.as_manager && request.delta() < 0) {
    return WithReason(
        absl::PermissionDeniedError(
            "delta: a manager may grant points to their reports, not deduct "
            "them (an admin key may)"),
        "NOT_MANAGER", {{"field", "delta"}});
  }
  absl::StatusOr<v1::AdjustBalanceResponse> result =
      stores_(caller.tenant)
          .Adjust({request.user_id(), request.delta(), request.reason(),
                   request.request_id(),
                   caller.as_manager ? caller.actor : ""});
  if (!result.ok()) return result.status();
  // A resend changed nothing: the first call's entry is the audit's.
  if (!result->duplicate()) {
    audit_->Record(caller, "BALANCE_ADJUSTED", request.user_id(), nullptr,
                   &*result);
  }
  *response = *std::move(result);
  return absl::OkStatus();
}

}  // namespace plaudit
