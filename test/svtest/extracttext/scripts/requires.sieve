require "extracttext";
require "foreverypart";

foreverypart {
	extracttext "text";
}
