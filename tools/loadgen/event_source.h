// Intranet-like events for load: random users (u0..u<users-1>), actions of
// the example rules (deploy/examples/rules.json), unique event ids.
#ifndef PLAUDIT_TOOLS_LOADGEN_EVENT_SOURCE_H_
#define PLAUDIT_TOOLS_LOADGEN_EVENT_SOURCE_H_

#include <random>
#include <string>

#include "plaudit/v1/event_service.pb.h"
#include "plaudit/v1/user_service.pb.h"

namespace plaudit::loadgen {

std::string UserId(int i);

// User i with a department, an office and a team.
v1::User MakeUser(int i);

class EventSource {
 public:
  // `run` keeps event ids of separate runs apart.
  EventSource(int users, uint32_t seed, std::string run);

  void Fill(v1::Event* event);

 private:
  const int users_;
  std::mt19937 random_;
  const std::string run_;
  int64_t next_ = 0;
};

}  // namespace plaudit::loadgen

#endif  // PLAUDIT_TOOLS_LOADGEN_EVENT_SOURCE_H_
