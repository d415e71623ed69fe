import { z } from 'zod';
import { email } from '$lib/validation';

export const forgotPasswordSchema = z.object({ email });
