require "fileinto";

# No mailbox at all.
fileinto;

# A number is not a mailbox name.
fileinto 42;

# RFC 5228 §4.1: one mailbox, not a list of them.
fileinto ["Work", "Lists"];

# An empty name names no mailbox.
fileinto "";
