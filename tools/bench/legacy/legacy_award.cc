#include "tools/bench/legacy/legacy_award.h"

#include "tools/bench/legacy/award_8ef060d.h"

namespace plaudit {

const LuaScript& LegacyAwardScript() {
  static const LuaScript* script = new LuaScript(kAward8ef060dLua);
  return *script;
}

}  // namespace plaudit
