// On every page open: give a browser with notifications on its push subscription back
// if it dropped it (push.js).
import { renew } from './push.js';

renew();
