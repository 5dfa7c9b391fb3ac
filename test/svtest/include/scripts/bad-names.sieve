require ["include", "variables"];

set "name" "where";
include "${name}";
include "sub/where";
include "";
