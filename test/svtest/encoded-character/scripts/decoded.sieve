require "encoded-character";

if header :is "subject" "${hex:46}rop!" {
	discard;
}
