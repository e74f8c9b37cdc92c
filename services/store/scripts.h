// The service's Lua scripts (sources in lua/, embedded at build time).
#ifndef PLAUDIT_SERVICES_STORE_SCRIPTS_H_
#define PLAUDIT_SERVICES_STORE_SCRIPTS_H_

#include "services/store/lua_script.h"

namespace plaudit {

const LuaScript& AwardScript();
const LuaScript& RetractScript();
const LuaScript& AdjustScript();
const LuaScript& RuleWriteScript();
const LuaScript& RulesSnapshotScript();
const LuaScript& LeaderboardPageScript();
const LuaScript& LeaderboardRankScript();
const LuaScript& TeamFiguresScript();
const LuaScript& VisibilityScript();
const LuaScript& RewardWriteScript();
const LuaScript& RedeemScript();
const LuaScript& RedemptionTransitionScript();
const LuaScript& SettingsWriteScript();
const LuaScript& UserSyncScript();
const LuaScript& UserDeactivateScript();
const LuaScript& UserReactivateScript();
const LuaScript& UserEraseScript();
const LuaScript& InboxPageScript();
const LuaScript& InboxMarkScript();
const LuaScript& WebhookWriteScript();
const LuaScript& WebhookSettleScript();
const LuaScript& WebhookDeliveredScript();
const LuaScript& LeaseScript();
const LuaScript& OutboxTrimScript();
const LuaScript& DigestScript();

}  // namespace plaudit

#endif  // PLAUDIT_SERVICES_STORE_SCRIPTS_H_
