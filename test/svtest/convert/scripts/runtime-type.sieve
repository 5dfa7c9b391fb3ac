require ["convert", "variables"];

set "to" "message/rfc822";
convert "text/html" "${to}" "charset=utf-8";
