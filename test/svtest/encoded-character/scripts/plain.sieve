# No require "encoded-character": the sequences are ordinary text.
if header :is "subject" "${hex:46}rop!" {
	discard;
}
if header :is "subject" "${unicode:D800}" {
	discard;
}
