require "encoded-character";

# RFC 5228 §2.4.2.4: D800-DFFF are UTF-16 surrogates, not characters.
if header :is "subject" "${unicode:D800}" {
	discard;
}

# Above the last code point.
if header :is "subject" "${unicode:110000}" {
	discard;
}

# In a multi-line string too, and among valid characters.
if header :is "subject" text:
${unicode:46 DFFF 72}
.
{
	discard;
}
