// Correctness at scale: 100,000 users with random scores; every GetRank
// (rank, score and the 5 neighbours each side) and every page agrees with a
// brute-force ranking computed here.
#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "tests/fixtures/plaudit_fixture.h"

namespace plaudit::testing {
namespace {

constexpr int kUsers = 100'000;
constexpr int kThreads = 8;

using LeaderboardScaleTest = PlauditTest;

TEST_F(LeaderboardScaleTest, EveryRankMatchesABruteForceRanking) {
  // Few distinct point values, so that long runs of equal scores exist.
  const std::vector<std::pair<std::string, int>> actions = {
      {"a1", 1}, {"a2", 2}, {"a5", 5}, {"a10", 10}, {"a20", 20}};
  for (const auto& [action, points] : actions) {
    CreateRule(absl::StrCat("rule-", action), action, v1::Rule::ACTOR, points);
  }
  std::mt19937 random(42);
  std::map<std::string, int64_t> scores;
  std::vector<v1::Event> events;
  for (int u = 0; u < kUsers; ++u) {
    const std::string user = absl::StrCat("user-", u);
    const int count = 1 + random() % 3;
    for (int e = 0; e < count; ++e) {
      const auto& [action, points] = actions[random() % actions.size()];
      events.push_back(MakeEvent(absl::StrCat(user, "-", e), action, user));
      scores[user] += points;
    }
  }
  for (size_t start = 0; start < events.size(); start += 1000) {
    v1::RecordEventsRequest request;
    for (size_t i = start; i < std::min(events.size(), start + 1000); ++i) {
      *request.add_events() = events[i];
    }
    v1::RecordEventsResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(client_->events->RecordEvents(&context, request, &response).ok());
  }

  // Brute force: best first, ties by user id; rank = 1 + number better.
  std::vector<std::pair<int64_t, std::string>> order;
  for (const auto& [user, score] : scores) order.push_back({-score, user});
  std::sort(order.begin(), order.end());
  std::map<int64_t, int64_t> better;  // score -> users with a higher score
  std::map<std::string, size_t> place;
  for (size_t i = 0; i < order.size(); ++i) {
    better.emplace(-order[i].first, static_cast<int64_t>(i));
    place[order[i].second] = i;
  }
  // "user#rank" of the brute-force entries [from, to).
  auto expected_window = [&](int64_t from, int64_t to) {
    std::vector<std::string> window;
    for (int64_t i = std::max<int64_t>(0, from);
         i < std::min<int64_t>(to, order.size()); ++i) {
      window.push_back(absl::StrCat(order[i].second, "#",
                                    better.at(-order[i].first) + 1));
    }
    return window;
  };
  auto actual_window = [](const auto& entries) {
    std::vector<std::string> window;
    for (const auto& e : entries) {
      window.push_back(absl::StrCat(e.user_id(), "#", e.rank()));
    }
    return window;
  };

  std::atomic<int> mismatches{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int u = t; u < kUsers; u += kThreads) {
        const std::string user = absl::StrCat("user-", u);
        v1::GetRankRequest request;
        request.set_user_id(user);
        request.set_scope("global");
        request.set_period(v1::ALL_TIME);
        request.set_neighbors(5);
        v1::GetRankResponse response;
        grpc::ClientContext context;
        if (!client_->leaderboards->GetRank(&context, request, &response).ok()) {
          ++failures;
          continue;
        }
        const int64_t score = scores.at(user);
        const int64_t at = static_cast<int64_t>(place.at(user));
        if (response.entry().score() != score ||
            response.entry().rank() != better.at(score) + 1 ||
            response.participants() != kUsers ||
            actual_window(response.above()) != expected_window(at - 5, at) ||
            actual_window(response.below()) != expected_window(at + 1, at + 6)) {
          ++mismatches;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(mismatches.load(), 0);

  // The whole board, page by page, is the brute-force order.
  v1::GetLeaderboardRequest request;
  request.set_scope("global");
  request.set_period(v1::MONTH);
  request.set_page_size(1000);
  size_t position = 0;
  int page_mismatches = 0;
  do {
    v1::GetLeaderboardResponse page;
    grpc::ClientContext context;
    ASSERT_TRUE(client_->leaderboards->GetLeaderboard(&context, request, &page).ok());
    for (const auto& entry : page.entries()) {
      ASSERT_LT(position, order.size());
      const auto& [negative_score, user] = order[position++];
      if (entry.user_id() != user || entry.score() != -negative_score ||
          entry.rank() != better.at(-negative_score) + 1) {
        ++page_mismatches;
      }
    }
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  EXPECT_EQ(position, order.size());
  EXPECT_EQ(page_mismatches, 0);
}

}  // namespace
}  // namespace plaudit::testing
