// The message a form shows above its fields (superforms' `message`), shared by
// server actions and pages. `App.Superforms.Message` is this type.
export type FormMessage = {
	tone: 'success' | 'error' | 'info';
	text: string;
	/** Offer to send the confirmation email again (sign-in of an unconfirmed account). */
	action?: 'resend-confirmation';
};
