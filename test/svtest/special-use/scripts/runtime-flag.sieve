require ["fileinto", "special-use", "variables"];

set "use" "Junk";
fileinto :specialuse "${use}" "Spam";
