require ["extracttext", "variables", "foreverypart"];

foreverypart {
	# Not a variable name.
	extracttext "text-1";
	# :first takes a number.
	extracttext :first "20" "text";
	# :lower and :upper have the same precedence.
	extracttext :lower :upper "text";
	# Valid.
	extracttext :first 20 :lower :length "text";
}
