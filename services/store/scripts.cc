#include "services/store/scripts.h"

#include <string>

#include "services/store/lua_sources.h"

namespace plaudit {

// Scripts that move points start with the shared boards library and the
// outbox (notifications of what they change).
#define PLAUDIT_SCRIPT(Name, source)                        \
  const LuaScript& Name() {                                 \
    static const LuaScript* script = new LuaScript(source); \
    return *script;                                         \
  }
// Scripts that only read run with EVALSHA_RO.
#define PLAUDIT_READ_SCRIPT(Name, source)                  \
  const LuaScript& Name() {                                \
    static const LuaScript* script =                       \
        new LuaScript(source, LuaScript::Mode::kReadOnly); \
    return *script;                                        \
  }
// Scripts that write only keys no cache reads (Writes::kUncachedOnly).
#define PLAUDIT_UNCACHED_SCRIPT(Name, source)                    \
  const LuaScript& Name() {                                      \
    static const LuaScript* script =                             \
        new LuaScript(source, LuaScript::Mode::kUncachedWrites); \
    return *script;                                              \
  }
#define WITH_BOARDS(source) \
  std::string(kBoardsLibLua) + kOutboxLibLua + source
#define WITH_REDEMPTIONS(source) \
  std::string(kBoardsLibLua) + kOutboxLibLua + kRedemptionsLibLua + source

PLAUDIT_SCRIPT(AwardScript, WITH_BOARDS(kAwardLua))
PLAUDIT_SCRIPT(RetractScript, WITH_BOARDS(kRetractLua))
PLAUDIT_SCRIPT(AdjustScript, WITH_BOARDS(kAdjustLua))
PLAUDIT_SCRIPT(VisibilityScript, WITH_BOARDS(kVisibilityLua))
PLAUDIT_SCRIPT(RuleWriteScript, kRuleWriteLua)
PLAUDIT_SCRIPT(SettingsWriteScript, kSettingsWriteLua)
PLAUDIT_READ_SCRIPT(RulesSnapshotScript, kRulesSnapshotLua)
PLAUDIT_READ_SCRIPT(LeaderboardPageScript, kLeaderboardPageLua)
PLAUDIT_READ_SCRIPT(LeaderboardRankScript, kLeaderboardRankLua)
PLAUDIT_READ_SCRIPT(TeamFiguresScript, WITH_BOARDS(kTeamFiguresLua))
PLAUDIT_SCRIPT(RewardWriteScript, kRewardWriteLua)
PLAUDIT_SCRIPT(RedeemScript, WITH_BOARDS(kRedeemLua))
PLAUDIT_SCRIPT(RedemptionTransitionScript,
               WITH_REDEMPTIONS(kRedemptionTransitionLua))
PLAUDIT_SCRIPT(UserSyncScript, WITH_BOARDS(kUserSyncLua))
PLAUDIT_SCRIPT(UserDeactivateScript, WITH_REDEMPTIONS(kUserDeactivateLua))
PLAUDIT_SCRIPT(UserReactivateScript, WITH_BOARDS(kUserReactivateLua))
PLAUDIT_SCRIPT(UserEraseScript, WITH_BOARDS(kUserEraseLua))
PLAUDIT_READ_SCRIPT(InboxPageScript, kInboxPageLua)
PLAUDIT_UNCACHED_SCRIPT(InboxMarkScript, kInboxMarkLua)
PLAUDIT_UNCACHED_SCRIPT(WebhookWriteScript, kWebhookWriteLua)
PLAUDIT_UNCACHED_SCRIPT(WebhookSettleScript, kWebhookSettleLua)
PLAUDIT_UNCACHED_SCRIPT(WebhookDeliveredScript, kWebhookDeliveredLua)
PLAUDIT_UNCACHED_SCRIPT(LeaseScript, kLeaseLua)
PLAUDIT_UNCACHED_SCRIPT(OutboxTrimScript, kOutboxTrimLua)
// Writes only its mark and the outbox: no cached page changes.
PLAUDIT_UNCACHED_SCRIPT(DigestScript, WITH_BOARDS(kDigestLua))

#undef WITH_BOARDS
#undef WITH_REDEMPTIONS

#undef PLAUDIT_SCRIPT
#undef PLAUDIT_READ_SCRIPT
#undef PLAUDIT_UNCACHED_SCRIPT

}  // namespace plaudit
