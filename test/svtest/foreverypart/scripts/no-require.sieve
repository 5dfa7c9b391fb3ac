foreverypart {
	break;
}
