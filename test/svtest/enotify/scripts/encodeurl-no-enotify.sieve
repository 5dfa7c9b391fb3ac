require "variables";

set :encodeurl "subject" "Hi there";
