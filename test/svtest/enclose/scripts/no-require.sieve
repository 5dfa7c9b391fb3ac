enclose :subject "Suspicious" "This message looked suspicious.";
