require "duplicate";

if duplicate :header "X-Frop" :uniqueid "FROP!" {
	discard;
}
