require "reject";

# ereject is a capability of its own (RFC 5429 §2.1): "reject" does not bring it.
ereject "I do not accept mail from you.";
reject "I do not accept mail from you.";
