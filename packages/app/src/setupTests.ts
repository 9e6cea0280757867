import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// The machines running CI are shared and slow: rendering the whole app before its sign-in page
// shows took 1.3 s here on a quiet machine, over the default second of `findBy…`.
configure({ asyncUtilTimeout: 10_000 });
