// AccountService: balances, ledgers and HR adjustments (thin adapter).
#ifndef PLAUDIT_SERVICES_ACCOUNTS_ACCOUNT_SERVICE_H_
#define PLAUDIT_SERVICES_ACCOUNTS_ACCOUNT_SERVICE_H_

#include "services/common/call_guard.h"
#include "plaudit/v1/account_service.grpc.pb.h"
#include "services/accounts/account_store.h"
#include "services/audit/audit_log.h"

namespace plaudit {

class AccountService final : public v1::AccountService::Service {
 public:
  AccountService(ForTenant<AccountStore> stores, const CallGuard* guard,
                 AuditLog* audit)
      : stores_(std::move(stores)), guard_(guard), audit_(audit) {}

  grpc::Status GetBalance(grpc::ServerContext* context,
                          const v1::GetBalanceRequest* request,
                          v1::GetBalanceResponse* response) override;
  grpc::Status ListTransactions(grpc::ServerContext* context,
                                const v1::ListTransactionsRequest* request,
                                v1::ListTransactionsResponse* response) override;
  grpc::Status AdjustBalance(grpc::ServerContext* context,
                             const v1::AdjustBalanceRequest* request,
                             v1::AdjustBalanceResponse* response) override;

 private:
  ForTenant<AccountStore> stores_;
  const CallGuard* guard_;
  AuditLog* audit_;
};

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_ACCOUNTS_ACCOUNT_SERVICE_H_
