#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "plaudit/v1/account_service.grpc.pb.h"
#include "tools/plauditctl/commands.h"
#include "tools/plauditctl/connection.h"

namespace plaudit::ctl {

absl::Status ShowBalance(const Connection& c, const std::string& user_id) {
  v1::GetBalanceRequest request;
  request.set_user_id(user_id);
  absl::StatusOr<v1::GetBalanceResponse> response =
      Call(c, &v1::AccountService::Stub::GetBalance, request);
  if (!response.ok()) return response.status();
  *c.out << absl::StrFormat("%s: balance %d, lifetime earned %d\n", user_id,
                            response->balance().balance(),
                            response->balance().lifetime_earned());
  return absl::OkStatus();
}

absl::Status ShowHistory(const Connection& c, const std::string& user_id,
                         int limit) {
  v1::ListTransactionsRequest request;
  request.set_user_id(user_id);
  request.set_page_size(std::min(limit, 1000));
  int shown = 0;
  do {
    absl::StatusOr<v1::ListTransactionsResponse> response =
        Call(c, &v1::AccountService::Stub::ListTransactions, request);
    if (!response.ok()) return response.status();
    for (const auto& e : response->entries()) {
      if (shown++ == limit) return absl::OkStatus();
      *c.out << absl::StrFormat(
          "%s  %-7s %+6d  balance %6d  %s%s%s\n", FormatTime(e.create_time()),
          v1::LedgerEntry::Type_Name(e.type()), e.delta(), e.balance_after(),
          e.reference(), e.rule_id().empty() ? "" : " rule " + e.rule_id(),
          e.reason().empty() ? "" : " \"" + e.reason() + "\"");
    }
    request.set_page_token(response->next_page_token());
  } while (!request.page_token().empty() && shown < limit);
  if (shown == 0) *c.out << user_id << ": no transactions\n";
  return absl::OkStatus();
}

absl::Status Adjust(const Connection& c, const std::string& user_id,
                    int64_t delta, const std::string& reason,
                    const std::string& request_id) {
  v1::AdjustBalanceRequest request;
  request.set_user_id(user_id);
  request.set_delta(delta);
  request.set_reason(reason);
  request.set_request_id(request_id);
  absl::StatusOr<v1::AdjustBalanceResponse> response =
      Call(c, &v1::AccountService::Stub::AdjustBalance, request);
  if (!response.ok()) return response.status();
  *c.out << absl::StrFormat("%s: %+d, balance now %d\n", user_id,
                            response->entry().delta(),
                            response->balance().balance());
  return absl::OkStatus();
}

}  // namespace plaudit::ctl
