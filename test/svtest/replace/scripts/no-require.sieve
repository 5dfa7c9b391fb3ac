require "foreverypart";

replace "The message was removed.";
