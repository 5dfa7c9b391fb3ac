require "copy";

# RFC 3894 §3: :copy belongs to fileinto and redirect only.
keep :copy;
discard :copy;

# It is a tag, not a value: redirect still needs its address.
redirect :copy;
