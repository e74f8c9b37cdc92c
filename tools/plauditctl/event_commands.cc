#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "plaudit/v1/event_service.grpc.pb.h"
#include "tools/plauditctl/commands.h"
#include "tools/plauditctl/connection.h"

namespace plaudit::ctl {

absl::Status EventsSend(const Connection& c, const v1::Event& event) {
  v1::RecordEventRequest request;
  *request.mutable_event() = event;
  absl::StatusOr<v1::RecordEventResponse> response =
      Call(c, &v1::EventService::Stub::RecordEvent, request);
  if (!response.ok()) return response.status();
  const v1::EventOutcome& outcome = response->outcome();
  *c.out << "event " << outcome.event_id()
         << (outcome.duplicate() ? " (already recorded: nothing paid now)" : "")
         << "\n";
  for (const auto& award : outcome.awards()) {
    *c.out << absl::StrFormat("  awarded %s %+d (rule %s)\n", award.user_id(),
                              award.points(), award.rule_id());
  }
  for (const auto& refusal : outcome.refusals()) {
    *c.out << absl::StrFormat("  not paid: rule %s for %s: %s\n",
                              refusal.rule_id(), refusal.user_id(),
                              v1::Refusal::Reason_Name(refusal.reason()));
  }
  if (outcome.awards_size() == 0 && outcome.refusals_size() == 0) {
    *c.out << "  no rule matches this action\n";
  }
  return absl::OkStatus();
}

absl::Status EventsRetract(const Connection& c, const std::string& event_id) {
  v1::RetractEventRequest request;
  request.set_event_id(event_id);
  absl::StatusOr<v1::RetractEventResponse> response =
      Call(c, &v1::EventService::Stub::RetractEvent, request);
  if (!response.ok()) return response.status();
  *c.out << "event " << event_id
         << (response->already_retracted() ? " was already retracted"
                                           : " retracted")
         << "\n";
  for (const auto& reversal : response->reversals()) {
    *c.out << absl::StrFormat("  %s %+d (rule %s)\n", reversal.user_id(),
                              reversal.points(), reversal.rule_id());
  }
  return absl::OkStatus();
}

}  // namespace plaudit::ctl
