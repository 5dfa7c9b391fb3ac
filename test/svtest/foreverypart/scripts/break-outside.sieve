require ["foreverypart", "mime"];

break;
foreverypart :name "parts" {
	if header :mime :type "content-type" "image" {
		break :name "images";
	}
}
if true {
	break :name "parts";
}
