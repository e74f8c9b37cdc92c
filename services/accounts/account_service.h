// AccountService: balances, ledgers and HR adjustments (thin adapter).
#ifndef PLAUDIT_SERVICES_ACCOUNTS_ACCOUNT_SERVICE_H_
#define PLAUDIT_SERVICES_ACCOUNTS_ACCOUNT_SERVICE_H_

#include "plaudit/v1/account_service.grpc.pb.h"
#include "services/accounts/account_store.h"
#include "services/audit/audit_log.h"
#include "services/rpc/rpc_service.h"

namespace plaudit {

class AccountService final : public RpcService {
 public:
  AccountService(ForTenant<AccountStore> stores, CallGate gate,
                 AuditLog* audit);

  absl::Status GetBalance(const Caller& caller,
                          const v1::GetBalanceRequest& request,
                          v1::GetBalanceResponse* response);
  absl::Status ListTransactions(const Caller& caller,
                                const v1::ListTransactionsRequest& request,
                                v1::ListTransactionsResponse* response);
  absl::Status AdjustBalance(const Caller& caller,
                             const v1::AdjustBalanceRequest& request,
                             v1::AdjustBalanceResponse* response);

 private:
  ForTenant<AccountStore> stores_;
  AuditLog* audit_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_ACCOUNTS_ACCOUNT_SERVICE_H_
