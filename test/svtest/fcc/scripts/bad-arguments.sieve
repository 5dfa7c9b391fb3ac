require ["vacation", "enotify", "fcc", "fileinto"];

vacation :fcc "" "I am away.";
notify :fcc ["Sent", "Outbox"] "mailto:alice@example.com";
fileinto :fcc "Sent" "Archive";
redirect :fcc "Sent" "alice@example.com";
