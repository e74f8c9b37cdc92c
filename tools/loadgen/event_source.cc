#include "tools/loadgen/event_source.h"

#include "absl/strings/str_cat.h"

namespace plaudit::loadgen {
namespace {

struct Action {
  const char* name;
  bool subject;  // done to someone else's thing (a like)
};
// Likes dominate on an intranet.
constexpr Action kActions[] = {{"post.created", false},   {"comment.created", false},
                               {"like", true},            {"like", true},
                               {"like", true},            {"training.completed", false},
                               {"event.attended", false}};

}  // namespace

std::string UserId(int i) { return absl::StrCat("u", i); }

v1::User MakeUser(int i) {
  v1::User user;
  user.set_user_id(UserId(i));
  user.set_display_name(absl::StrCat("Employee ", i));
  user.add_groups(absl::StrCat("dept:d", i % 20));
  user.add_groups(absl::StrCat("office:o", i % 7));
  user.add_groups(absl::StrCat("team:t", i % 500));
  return user;
}

EventSource::EventSource(int users, uint32_t seed, std::string run)
    : users_(users), random_(seed), run_(std::move(run)) {}

void EventSource::Fill(v1::Event* event) {
  const Action& action = kActions[random_() % std::size(kActions)];
  const int actor = random_() % users_;
  event->set_event_id(absl::StrCat(run_, "-", next_++));
  event->set_action(action.name);
  event->set_actor_id(UserId(actor));
  if (action.subject) {
    event->set_subject_id(UserId((actor + 1 + random_() % (users_ - 1)) % users_));
  }
  event->set_object_id(absl::StrCat("obj-", random_() % 1'000'000));
  if (random_() % 10 == 0) event->add_tags("priority");
}

}  // namespace plaudit::loadgen
