require ["include", "variables"];

set "global.step" "before return";
if true {
	return;
}
set "global.step" "after return";
