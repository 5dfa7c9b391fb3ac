require "convert";

convert "multipart/mixed" "text/plain" "charset=utf-8";
convert "image/tiff" "image/jpeg; quality=80" "pix-x=320";
if convert "image/tiff" "image/jpeg" ["pix-x"] {
	keep;
}
convert "image/tiff" "image/jpeg";
