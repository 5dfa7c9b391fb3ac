require "foreverypart";

foreverypart :name 1 {
	break :name ["a", "b"];
}
foreverypart "parts" {
}
