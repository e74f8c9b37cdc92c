#include "services/store/scripts.h"

#include "services/store/lua_sources.h"

namespace plaudit {

#define PLAUDIT_SCRIPT(Name, source)        \
  const LuaScript& Name() {                 \
    static const LuaScript* script = new LuaScript(source); \
    return *script;                         \
  }

PLAUDIT_SCRIPT(AwardScript, kAwardLua)
PLAUDIT_SCRIPT(RetractScript, kRetractLua)
PLAUDIT_SCRIPT(AdjustScript, kAdjustLua)
PLAUDIT_SCRIPT(RuleWriteScript, kRuleWriteLua)
PLAUDIT_SCRIPT(RulesSnapshotScript, kRulesSnapshotLua)

#undef PLAUDIT_SCRIPT

}  // namespace plaudit
