require "foreverypart";

foreverypart {
	if header :mime :type "content-type" "image" {
		discard;
	}
}
