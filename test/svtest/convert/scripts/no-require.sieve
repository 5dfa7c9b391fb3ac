convert "image/tiff" "image/jpeg" ["pix-x=320"];
