require ["special-use", "fileinto", "variables"];
set "f" "\\Sent";
fileinto :specialuse "${f}" "Sent";
