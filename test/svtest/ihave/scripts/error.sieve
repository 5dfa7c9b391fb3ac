require "ihave";
require "fileinto";

fileinto "Sorted";

# RFC 5463 §5: error ends the script with a run-time error that carries the message.
error "Unexpected message: please file it by hand";

discard;
