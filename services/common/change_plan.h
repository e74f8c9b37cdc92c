// What applying a file of resources (rules, catalog rewards) over what a
// tenant has takes: which to create, which to update, which stay as they
// are and which the file does not name. One plan for plauditd's
// --rules_file and for plauditctl's `rules apply` and `rewards apply`.
#ifndef PLAUDIT_SERVICES_COMMON_CHANGE_PLAN_H_
#define PLAUDIT_SERVICES_COMMON_CHANGE_PLAN_H_

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace plaudit {

template <class T>
struct ChangePlan {
  std::vector<T> create;  // in the file, not there yet
  std::vector<T> update;  // there and different: the file's version
  int unchanged = 0;
  int left_alone = 0;               // there but frozen (archived rewards)
  std::vector<std::string> absent;  // there, not in the file: ids, sorted
};

// `id` names a resource; `differ(existing, wanted)` says whether applying
// `wanted` over `existing` changes anything; `frozen(existing)` marks what a
// file must not touch (may be empty). A file naming an id twice: the last
// one counts, as if applied in order.
template <class T, class Wanted>
ChangePlan<T> PlanChanges(
    const std::vector<T>& existing, const Wanted& wanted,
    const std::function<std::string(const T&)>& id,
    const std::function<bool(const T&, const T&)>& differ,
    const std::function<bool(const T&)>& frozen = nullptr) {
  std::map<std::string, const T*> current;
  for (const T& item : existing) current[id(item)] = &item;
  std::map<std::string, const T*> named;
  for (const T& item : wanted) named[id(item)] = &item;

  ChangePlan<T> plan;
  for (const auto& [key, item] : named) {
    const auto it = current.find(key);
    if (it == current.end()) {
      plan.create.push_back(*item);
    } else if (frozen && frozen(*it->second)) {
      ++plan.left_alone;
    } else if (differ(*it->second, *item)) {
      plan.update.push_back(*item);
    } else {
      ++plan.unchanged;
    }
  }
  for (const auto& [key, item] : current) {
    if (named.count(key) == 0) plan.absent.push_back(key);
  }
  return plan;
}

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_COMMON_CHANGE_PLAN_H_
